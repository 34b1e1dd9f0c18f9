package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.embedded.TestCertificates;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A broker listening for TLS with a certificate a CA of this run signed for 127.0.0.1: with option
 * {@code tlsCa} the client verifies it, host name included, and publishes and consumes; a client
 * that does not trust the CA is refused with a message that names the handshake and the option
 * (Kafka files it under authentication; it is not a credentials refusal), and one that speaks
 * plaintext to the TLS port does not connect.
 */
class KafkaTlsIT {

    private static TestCertificates certificates;
    private static EmbeddedKafka broker;

    @BeforeAll
    static void startWithTls() {
        certificates = TestCertificates.create();
        broker = EmbeddedKafka.withTls(certificates);
        broker.start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aClientTrustingTheCaPublishesAndConsumesOverTls() throws Exception {
        String topic = "tls-" + System.nanoTime();
        List<String> received = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect("kafka://" + broker.tlsBootstrapServers() + "?tlsCa=" + certificates.ca());
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "g"),
                     delivery -> received.add(delivery.message().payloadAsString()))) {
            portal.publisher().publish(Message.of(topic, "k", "over tls")).get(60, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> received.contains("over tls"));
        }
        assertThat(received).containsExactly("over tls");
    }

    @Test
    void aCertificateTheClientDoesNotTrustIsRefused() {
        // Without tlsCa the JVM's trust store decides, and it does not know this run's CA.
        assertThatThrownBy(() -> Portal.connect("kafka://" + broker.tlsBootstrapServers() + "?securityProtocol=SSL&connectTimeout=5s"))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("TLS handshake").hasMessageContaining("tlsCa");
    }

    @Test
    void aPlaintextClientCannotTalkToTheTlsListener() {
        assertThatThrownBy(() -> Portal.connect("kafka://" + broker.tlsBootstrapServers() + "?connectTimeout=5s"))
                .isInstanceOf(UnavailableException.class);
    }
}
