package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.messaging.Message;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What Kafka's authorizer adds to the credentials contract (which runs on the same SASL PLAIN
 * broker through {@link KafkaHarness#credentials()}): an authenticated user whom no ACL allows to
 * create a topic is refused as {@link AccessDeniedException}.
 */
class KafkaSaslIT {

    @Test
    void aUserNoAclAllowsToCreateATopicIsRefusedAsAccessDenied() {
        String url = KafkaHarness.saslUrl(EmbeddedKafka.SASL_UNPRIVILEGED_USER, EmbeddedKafka.SASL_UNPRIVILEGED_PASSWORD);
        try (Portal portal = Portal.connect(url)) {
            assertThatThrownBy(() -> portal.publisher().publish(Message.of("sasl-forbidden-" + System.nanoTime(), "k", "v"))
                    .get(60, TimeUnit.SECONDS))
                    .hasRootCauseInstanceOf(org.apache.kafka.common.errors.TopicAuthorizationException.class)
                    .satisfies(e -> assertThat(e instanceof AccessDeniedException || e.getCause() instanceof AccessDeniedException)
                            .as("an AccessDeniedException, thrown or completing the future: %s", e).isTrue());
        }
    }

    /** Meters are tagged with names the application chose: a connection's user and password appear in none of them. */
    @Test
    void theMetersOfAConnectionWithCredentialsCarryNoneOfThem() throws Exception {
        String url = KafkaHarness.saslUrl(EmbeddedKafka.SASL_USER, EmbeddedKafka.SASL_PASSWORD);
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        String topic = "sasl-metered-" + System.nanoTime();
        java.util.concurrent.CountDownLatch handled = new java.util.concurrent.CountDownLatch(1);
        try (Portal portal = Portal.connect(url); io.cloudportal.Watch ignored = io.cloudportal.micrometer.PortalMetrics.bind(portal, registry);
             io.cloudportal.messaging.Subscription subscription = portal.subscriber().subscribe(
                     io.cloudportal.messaging.SubscribeOptions.group(topic, "metered"), delivery -> handled.countDown())) {
            portal.publisher().publish(Message.of(topic, "k", "v")).get(60, TimeUnit.SECONDS);
            assertThat(handled.await(60, TimeUnit.SECONDS)).isTrue();
        }
        String everyId = registry.getMeters().stream().map(meter -> meter.getId().toString()).collect(java.util.stream.Collectors.joining("\n"));
        assertThat(everyId).contains("messaging.client.sent.messages", topic)
                .doesNotContain(EmbeddedKafka.SASL_PASSWORD).doesNotContain(EmbeddedKafka.SASL_USER);
    }
}
