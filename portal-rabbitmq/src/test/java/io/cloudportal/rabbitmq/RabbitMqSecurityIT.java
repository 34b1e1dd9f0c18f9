package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What RabbitMQ's permissions add to the credentials contract (which runs with the same user
 * through {@link RabbitMqHarness#credentials()}): a virtual host the user may not use is refused
 * as {@link AccessDeniedException}, and a refusal names the user but never the password.
 */
class RabbitMqSecurityIT {

    private static final String FORBIDDEN_VHOST = "portal-forbidden";

    @BeforeAll
    static void configureTheBroker() {
        RabbitMqHarness.INSTANCE.credentials();
        EmbeddedRabbitMq broker = (EmbeddedRabbitMq) RabbitMqHarness.INSTANCE.server();
        if (!broker.control(List.of("list_vhosts", "--quiet")).contains(FORBIDDEN_VHOST)) {
            broker.control(List.of("add_vhost", FORBIDDEN_VHOST));
        }
    }

    @Test
    void aWrongPasswordIsRefusedNamingTheUser() {
        assertThatThrownBy(() -> Portal.connect(RabbitMqHarness.INSTANCE.userUrl(RabbitMqHarness.WRONG, "")))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(RabbitMqHarness.USER).hasMessageNotContaining(RabbitMqHarness.WRONG);
    }

    @Test
    void aVirtualHostTheUserMayNotUseIsRefusedAsAccessDenied() {
        assertThatThrownBy(() -> Portal.connect(RabbitMqHarness.INSTANCE.userUrl(RabbitMqHarness.SECRET, "/" + FORBIDDEN_VHOST)))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(FORBIDDEN_VHOST).hasMessageNotContaining(RabbitMqHarness.SECRET);
    }
}
