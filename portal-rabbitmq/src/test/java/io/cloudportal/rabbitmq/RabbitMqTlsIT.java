package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.embedded.EmbeddedRabbitMq;
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
 * {@code amqps://} against a node with a TLS listener whose certificate a CA of this run signed:
 * with option {@code tlsCa} the connection verifies it (host name included) and works; without
 * it the JVM's trust store refuses the certificate, and the failure says so.
 */
class RabbitMqTlsIT {

    private static TestCertificates certificates;
    private static EmbeddedRabbitMq broker;

    @BeforeAll
    static void startWithTls() {
        certificates = TestCertificates.create();
        broker = EmbeddedRabbitMq.withTls(certificates.serverCertificate(), certificates.serverKey(), certificates.ca());
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
        try (Portal portal = Portal.connect(broker.tlsUrl() + "?tlsCa=" + certificates.ca());
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "g"),
                     delivery -> received.add(delivery.message().payloadAsString()))) {
            portal.publisher().publish(Message.of(topic, "k", "over tls")).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("over tls"));
        }
        assertThat(received).containsExactly("over tls");
    }

    @Test
    void aCertificateTheClientDoesNotTrustIsRefused() {
        assertThatThrownBy(() -> Portal.connect(broker.tlsUrl() + "?connectTimeout=5s")).isInstanceOf(PortalException.class)
                .hasMessageNotContaining("guest:guest");
    }
}
