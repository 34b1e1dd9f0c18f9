package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
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
 * A broker whose clients must authenticate with SASL PLAIN: the right user publishes and consumes,
 * a wrong password is an {@link AccessDeniedException}, and no password reaches a log line at
 * TRACE, a {@code toString()} or an exception message.
 */
class KafkaSaslIT {

    private static final String WRONG = "Wrong-s3cret-0815";
    private static EmbeddedKafka broker;

    @BeforeAll
    static void startWithSasl() {
        broker = EmbeddedKafka.withSaslPlain();
        broker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static String url(String password) {
        return url(EmbeddedKafka.SASL_USER, password);
    }

    private static String url(String user, String password) {
        return "kafka://" + user + ":" + password + "@" + broker.bootstrapServers()
                + "?securityProtocol=SASL_PLAINTEXT&saslMechanism=PLAIN&connectTimeout=10s";
    }

    @Test
    void theRightUserPublishesAndConsumes() throws Exception {
        String topic = "sasl-" + System.nanoTime();
        List<String> received = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect(url(EmbeddedKafka.SASL_PASSWORD));
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "g"),
                     delivery -> received.add(delivery.message().payloadAsString()))) {
            portal.publisher().publish(Message.of(topic, "k", "authenticated")).get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> received.contains("authenticated"));
            assertThat(portal.toString()).doesNotContain(EmbeddedKafka.SASL_PASSWORD);
        }
    }

    @Test
    void aWrongPasswordIsRefusedAsAccessDeniedWithoutTheSecret() {
        assertThatThrownBy(() -> Portal.connect(url(WRONG))).isInstanceOf(AccessDeniedException.class)
                .hasMessageNotContaining(WRONG);
    }

    @Test
    void aUserNoAclAllowsToCreateATopicIsRefusedAsAccessDenied() {
        try (Portal portal = Portal.connect(url(EmbeddedKafka.SASL_UNPRIVILEGED_USER, EmbeddedKafka.SASL_UNPRIVILEGED_PASSWORD))) {
            assertThatThrownBy(() -> portal.publisher().publish(Message.of("sasl-forbidden-" + System.nanoTime(), "k", "v"))
                    .get(60, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class)
                    .satisfies(e -> assertThat(e instanceof AccessDeniedException || e.getCause() instanceof AccessDeniedException)
                            .as("an AccessDeniedException, thrown or completing the future: %s", e).isTrue());
        }
    }

    @Test
    void passwordsAppearInNoLogLineToStringOrException() throws Exception {
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(url(EmbeddedKafka.SASL_PASSWORD), url(WRONG),
                List.of(EmbeddedKafka.SASL_PASSWORD, WRONG, EmbeddedKafka.SASL_UNPRIVILEGED_PASSWORD));
        assertThat(printed).contains("PROBE REFUSED AccessDeniedException");
    }
}
