package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import io.cloudportal.tck.SecretsProbe;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credentials against a broker configured for them: a user of its own, a virtual host it may not
 * use. Every refusal is an {@link AccessDeniedException} whose message, like every log line, holds
 * no password.
 */
class RabbitMqSecurityIT {

    private static final String USER = "portal-security";
    private static final String SECRET = "Rmq-s3cret-4711";
    private static final String WRONG = "Wrong-s3cret-0815";
    private static final String FORBIDDEN_VHOST = "portal-forbidden";

    @BeforeAll
    static void configureTheBroker() {
        EmbeddedRabbitMq broker = (EmbeddedRabbitMq) RabbitMqHarness.INSTANCE.server();
        if (!broker.control(List.of("list_users", "--quiet")).contains(USER)) {
            broker.control(List.of("add_user", USER, SECRET));
            broker.control(List.of("set_permissions", "-p", "/", USER, ".*", ".*", ".*"));
        }
        if (!broker.control(List.of("list_vhosts", "--quiet")).contains(FORBIDDEN_VHOST)) {
            broker.control(List.of("add_vhost", FORBIDDEN_VHOST));
        }
    }

    private static String url(String password, String vhost) {
        return "amqp://" + USER + ":" + password + "@127.0.0.1:" + RabbitMqHarness.INSTANCE.port() + vhost + RabbitMqHarness.OPTIONS;
    }

    @Test
    void aWrongPasswordIsRefusedAsAccessDeniedWithoutTheSecret() {
        assertThatThrownBy(() -> Portal.connect(url(WRONG, ""))).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(USER).hasMessageNotContaining(WRONG);
    }

    @Test
    void aVirtualHostTheUserMayNotUseIsRefusedAsAccessDenied() {
        assertThatThrownBy(() -> Portal.connect(url(SECRET, "/" + FORBIDDEN_VHOST))).isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining(FORBIDDEN_VHOST).hasMessageNotContaining(SECRET);
    }

    @Test
    void passwordsAppearInNoLogLineToStringOrException() throws Exception {
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(url(SECRET, ""), url(WRONG, ""), List.of(SECRET, WRONG));
        assertThat(printed).contains("PROBE REFUSED AccessDeniedException");
    }
}
