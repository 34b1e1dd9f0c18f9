package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Portal writes what any Kafka client reads, and reads what any Kafka client writes. */
class KafkaInteropIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private final KafkaHarness harness = KafkaHarness.INSTANCE;

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void aPlainKafkaConsumerReadsPortalsMessagesIntact() throws Exception {
        String topic = unique("portal-to-plain");
        byte[] payload = {0, 1, 2, (byte) 0xff, 'x'};
        try (Portal portal = harness.connect()) {
            portal.publisher().publish(new Message(topic, "clé-1", payload, Map.of("trace-id", "abc", "note", "héllo ✓")))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.server().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, unique("plain"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            await().atMost(PATIENCE).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        ConsumerRecord<String, byte[]> record = records.get(0);
        assertThat(record.key()).isEqualTo("clé-1");
        assertThat(record.value()).isEqualTo(payload);
        assertThat(new String(record.headers().lastHeader("trace-id").value(), StandardCharsets.UTF_8)).isEqualTo("abc");
        assertThat(new String(record.headers().lastHeader("note").value(), StandardCharsets.UTF_8)).isEqualTo("héllo ✓");
    }

    @Test
    void portalReadsAPlainKafkaProducersMessagesIntact() throws Exception {
        String topic = unique("plain-to-portal");
        List<Message> received = new CopyOnWriteArrayList<>();
        try (Portal portal = harness.connect();
             Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group(topic, unique("g")), d -> received.add(d.message()));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, harness.server().bootstrapServers(),
                     ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                     ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, null, "order-7", new byte[] {9, 8, 7},
                    List.of(new RecordHeader("source", "plain".getBytes(StandardCharsets.UTF_8)), new RecordHeader("empty", null))))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            producer.send(new ProducerRecord<>(topic, null, null, null)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> received.size() == 2);
        }
        Message keyed = received.stream().filter(m -> m.key() != null).findFirst().orElseThrow();
        assertThat(keyed.topic()).isEqualTo(topic);
        assertThat(keyed.key()).isEqualTo("order-7");
        assertThat(keyed.payload()).containsExactly(9, 8, 7);
        assertThat(keyed.headers()).containsEntry("source", "plain").containsEntry("empty", "");
        Message tombstone = received.stream().filter(m -> m.key() == null).findFirst().orElseThrow();
        assertThat(tombstone.payload()).as("a record without value").isEmpty();
    }
}
