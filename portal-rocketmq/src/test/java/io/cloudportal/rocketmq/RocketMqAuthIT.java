package io.cloudportal.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.tck.SecretsProbe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker that authenticates every client (RocketMQ's ACL 2.0): Portal's access key and secret key
 * sign its requests; the right ones publish and consume, a wrong secret is an
 * {@link AccessDeniedException}, and no secret reaches a log line at TRACE.
 */
class RocketMqAuthIT {

    private static final String ACCESS_KEY = "portal-ak";
    private static final String SECRET = "Rmq-Acl-s3cret-4711";
    private static final String WRONG = "Wrong-s3cret-0815";
    private static EmbeddedRocketMq servers;

    @BeforeAll
    static void startWithAuthentication() {
        servers = EmbeddedRocketMq.withAuthentication(ACCESS_KEY, SECRET);
        servers.start();
    }

    @AfterAll
    static void stop() {
        if (servers != null) {
            servers.close();
        }
    }

    private static String url(String secret) {
        return servers.url() + RocketMqHarness.OPTIONS + "&accessKey=" + ACCESS_KEY + "&secretKey=" + secret;
    }

    @Test
    void theRightKeysPublishAndConsume() throws Exception {
        String topic = "auth-" + System.nanoTime();
        List<String> received = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(url(SECRET));
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "g"),
                     delivery -> received.add(delivery.message().payloadAsString()))) {
            portal.publisher().publish(Message.of(topic, "k", "signed")).get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> received.contains("signed"));
        }
    }

    @Test
    void aWrongSecretIsRefusedAsAccessDeniedWithoutTheSecret() {
        assertThatThrownBy(() -> {
            try (Portal portal = Portal.connect(url(WRONG))) {
                portal.publisher().publish(Message.of("auth-refused-" + System.nanoTime(), "k", "v")).get(60, TimeUnit.SECONDS);
            }
        }).satisfies(e -> assertThat(e instanceof AccessDeniedException || e.getCause() instanceof AccessDeniedException)
                .as("an AccessDeniedException, thrown or completing the future: %s", e).isTrue())
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()) + e.getCause()).doesNotContain(WRONG));
    }

    @Test
    void secretsAppearInNoLogLineToStringOrException() throws Exception {
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(url(SECRET), url(WRONG), List.of(SECRET, WRONG),
                List.of("-Drocketmq.log.level=trace"));
        assertThat(printed).contains("PROBE REFUSED AccessDeniedException");
    }
}
