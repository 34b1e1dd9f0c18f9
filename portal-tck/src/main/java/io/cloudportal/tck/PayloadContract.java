package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.CodecException;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.jackson.JsonCodec;
import io.cloudportal.messaging.Codec;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Typed payloads: what a {@link Codec} writes survives the broker with its content type, and a
 * payload a typed handler cannot decode follows the failure path (retried, then dead-lettered
 * with a reason naming the type) instead of being lost or stopping the subscription.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class PayloadContract extends MessagingSupport {

    /** A record as applications send them: nested records, a list, a map, text outside ASCII. */
    public record Order(String id, String customer, List<Line> lines, Map<String, String> tags, long totalCents) {
    }

    /** One line of an {@link Order}. */
    public record Line(String sku, int quantity) {
    }

    private static final Codec JSON = JsonCodec.create();

    static Order order(int i) {
        return new Order("order-" + i, "Zoë Ångström " + i, List.of(new Line("sku-" + i, i % 5 + 1), new Line("sku-x", 1)),
                Map.of("channel", i % 2 == 0 ? "web" : "shop", "note", "“quoted” ✓"), 1_000L * i + 99);
    }

    @Test
    void aRecordRoundTripsThroughTheBrokerWithItsContentType() throws Exception {
        String topic = unique("typed");
        int count = 200;
        Map<String, Order> received = new ConcurrentHashMap<>();
        List<String> contentTypes = new CopyOnWriteArrayList<>();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(subscription(topic), Order.class, JSON, (order, delivery) -> {
            received.put(order.id(), order);
            contentTypes.add(delivery.message().headers().get(Message.CONTENT_TYPE_HEADER));
        })) {
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                messages.add(Message.builder(topic).key("customer-" + (i % 7)).payload(order(i), JSON).build());
            }
            publishAll(open().publisher(), messages);
            await().atMost(PATIENCE).until(() -> received.size() == count);
        }
        figure("roundTrips", received.size());
        for (int i = 0; i < count; i++) {
            assertThat(received.get("order-" + i)).isEqualTo(order(i));
        }
        assertThat(contentTypes).containsOnly(JsonCodec.CONTENT_TYPE);
    }

    @Test
    void aPayloadThatCannotBeDecodedIsRetriedAndDeadLetteredWithAReasonNamingTheType() throws Exception {
        String topic = unique("undecodable");
        SubscribeOptions options = subscription(topic).withMaxAttempts(2);
        Map<String, Order> received = new ConcurrentHashMap<>();
        Portal consumer = open();
        Message malformed = Message.builder(topic).key("bad").payload("{\"id\": \"order-x\", \"lines\": [".getBytes(StandardCharsets.UTF_8))
                .header(Message.CONTENT_TYPE_HEADER, JsonCodec.CONTENT_TYPE).build();
        Message otherType = Message.builder(topic).key("bad").payload("order-y, as text", Codec.text()).build();
        try (Subscription ignored = consumer.subscriber().subscribe(options, Order.class, JSON, (order, delivery) -> received.put(order.id(), order))) {
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                messages.add(Message.builder(topic).key("k" + i % 3).payload(order(i), JSON).build());
            }
            messages.add(5, malformed);
            messages.add(otherType);
            publishAll(open().publisher(), messages);
            await().atMost(PATIENCE).until(() -> received.size() == 10);
            figure("lost", 10 - received.size());
            if (!declares(Guarantee.DEAD_LETTER)) {
                notApplicable("DEAD_LETTER not declared: the undecodable messages fail their one delivery; the others all arrive");
                return;
            }
            String deadLetterTopic = consumer.subscriber().deadLetterTopic(options);
            List<Message> deadLetters = new CopyOnWriteArrayList<>();
            try (Subscription dlt = open().subscriber().subscribe(SubscribeOptions.group(deadLetterTopic, unique("dlt")),
                    delivery -> deadLetters.add(delivery.message()))) {
                await().atMost(PATIENCE).until(() -> deadLetters.size() >= 2);
            }
            figure("deadLetters", deadLetters.size());
            assertThat(deadLetters).hasSize(2);
            for (Message dead : deadLetters) {
                String reason = dead.headers().get(DeadLetters.REASON_HEADER);
                assertThat(reason).startsWith(CodecException.class.getName()).contains(Order.class.getName()).contains(topic);
                assertThat(dead.headers()).containsEntry(DeadLetters.ATTEMPTS_HEADER, declares(Guarantee.REDELIVERY) ? "2" : "1");
                if (Arrays.equals(dead.payload(), otherType.payload())) {
                    assertThat(reason).contains("text/plain");
                }
            }
            assertThat(deadLetters).extracting(Message::payloadAsString)
                    .containsExactlyInAnyOrder(malformed.payloadAsString(), otherType.payloadAsString());
        }
    }
}
