package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.jackson.JsonCodec;
import io.cloudportal.messaging.Codec;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Portal's messages are plain AMQP messages: a raw amqp-client reads them from the group's queue, and Portal reads a raw publisher's. */
class RabbitMqInteropIT {

    private static Connection raw() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(RabbitMqHarness.INSTANCE.server().url());
        return factory.newConnection();
    }

    @Test
    void aPlainConsumerOnTheGroupsQueueReadsPortalsMessagesIntact() throws Exception {
        String topic = "interop-" + System.nanoTime();
        try (Portal portal = RabbitMqHarness.INSTANCE.connect(); Connection connection = raw()) {
            // The group's queue exists once a member subscribed; this member leaves at once and the queue keeps what comes.
            portal.subscriber().subscribe(SubscribeOptions.group(topic, "billing"), d -> { }).close();
            byte[] payload = {0, 1, 2, (byte) 255};
            portal.publisher().publish(new Message(topic, "order-42", payload, Map.of("trace-id", "abc", "note", "héllo"))).join();
            Channel channel = connection.createChannel();
            AtomicReference<GetResponse> got = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                got.set(channel.basicGet(topic + ".billing", true));
                return got.get() != null;
            });
            GetResponse response = got.get();
            assertThat(response.getBody()).isEqualTo(payload);
            assertThat(response.getEnvelope().getRoutingKey()).isEqualTo("order-42");
            assertThat(response.getEnvelope().getExchange()).isEqualTo(topic);
            assertThat(response.getProps().getHeaders().get("trace-id").toString()).isEqualTo("abc");
            assertThat(response.getProps().getHeaders().get("note").toString()).isEqualTo("héllo");
            assertThat(response.getProps().getDeliveryMode()).as("persistent").isEqualTo(2);
        }
    }

    @Test
    void portalReadsAPlainPublishersMessagesIntact() throws Exception {
        String topic = "interop-in-" + System.nanoTime();
        List<Message> received = new CopyOnWriteArrayList<>();
        try (Portal portal = RabbitMqHarness.INSTANCE.connect(); Connection connection = raw();
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "reader"), d -> received.add(d.message()))) {
            Channel channel = connection.createChannel();
            channel.basicPublish(topic, "key-7", new AMQP.BasicProperties.Builder().headers(Map.of("origin", "raw")).build(),
                    "from a plain client".getBytes(StandardCharsets.UTF_8));
            await().atMost(Duration.ofSeconds(30)).until(() -> !received.isEmpty());
        }
        Message message = received.get(0);
        assertThat(message.payloadAsString()).isEqualTo("from a plain client");
        assertThat(message.key()).isEqualTo("key-7");
        assertThat(message.headers()).containsEntry("origin", "raw");
    }

    /** Typed payloads speak AMQP's own property: what Portal encodes says so in content_type, and a plain publisher's content_type reaches a typed handler. */
    @Test
    void theContentTypeIsTheAmqpPropertyBothWays() throws Exception {
        record Price(String sku, long cents) {
        }
        String topic = "interop-typed-" + System.nanoTime();
        List<Price> typed = new CopyOnWriteArrayList<>();
        Codec json = JsonCodec.create();
        try (Portal portal = RabbitMqHarness.INSTANCE.connect(); Connection connection = raw();
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, "typed"), Price.class, json,
                     (price, delivery) -> typed.add(price))) {
            portal.subscriber().subscribe(SubscribeOptions.group(topic, "plain"), d -> { }).close();
            Channel channel = connection.createChannel();
            channel.basicPublish(topic, "", new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                    "{\"sku\":\"raw-1\",\"cents\":250}".getBytes(StandardCharsets.UTF_8));
            portal.publisher().publish(Message.builder(topic).payload(new Price("portal-1", 990), json).build()).join();
            await().atMost(Duration.ofSeconds(30)).until(() -> typed.size() == 2);
            AtomicReference<GetResponse> got = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                GetResponse response = channel.basicGet(topic + ".plain", true);
                if (response != null && response.getProps().getHeaders() != null) {
                    got.set(response);
                }
                return got.get() != null;
            });
            assertThat(got.get().getProps().getContentType()).isEqualTo("application/json");
        }
        assertThat(typed).containsExactlyInAnyOrder(new Price("raw-1", 250), new Price("portal-1", 990));
    }

    @Test
    void aMessageTheBrokerRefusesFailsItsPublishWithANack() throws Exception {
        String topic = "full-" + System.nanoTime();
        try (Portal portal = RabbitMqHarness.INSTANCE.connect(); Connection connection = raw()) {
            portal.publisher().publish(Message.of(topic, "k", "declares the exchange")).join();
            Channel channel = connection.createChannel();
            // A queue that holds one message and refuses more: the broker nacks what it cannot take.
            channel.queueDeclare(topic + ".tiny", false, false, true, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
            channel.queueBind(topic + ".tiny", topic, "#");
            portal.publisher().publish(Message.of(topic, "k", "fits")).join();
            assertThatThrownBy(() -> portal.publisher().publish(Message.of(topic, "k", "does not fit")).join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(UnavailableException.class)
                    .hasMessageContaining("nack").hasMessageContaining(topic);
        }
    }

    @Test
    void withMandatoryAMessageNoQueueTakesFailsItsPublish() {
        try (Portal portal = Portal.connect(RabbitMqHarness.INSTANCE.url() + "&mandatory=true")) {
            String topic = "nobody-" + System.nanoTime();
            assertThatThrownBy(() -> portal.publisher().publish(Message.of(topic, "k", "lost?")).join())
                    .isInstanceOf(CompletionException.class).hasCauseInstanceOf(UnavailableException.class)
                    .hasMessageContaining("returned").hasMessageContaining(topic);
        }
    }
}
