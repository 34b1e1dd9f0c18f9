package io.cloudportal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The in-JVM KRaft broker: records written before a restart are read after it, through the same URL. */
class EmbeddedKafkaIT {

    @Test
    void recordsSurviveARestartAndClientsKeepTheirAddress() throws Exception {
        try (EmbeddedKafka kafka = new EmbeddedKafka()) {
            kafka.start();
            String bootstrap = kafka.bootstrapServers();
            assertThat(kafka.url()).isEqualTo("kafka://" + bootstrap);
            Map<String, Object> producerConfig = Map.of("bootstrap.servers", bootstrap, "max.block.ms", 30_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("fixture", "k", "before")).get(30, TimeUnit.SECONDS);
                kafka.restart();
                assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
                producer.send(new ProducerRecord<>("fixture", "k", "after")).get(30, TimeUnit.SECONDS);
            }
            Map<String, Object> consumerConfig = Map.of("bootstrap.servers", bootstrap, "group.id", "fixture-check",
                    "auto.offset.reset", "earliest");
            List<String> read = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("fixture"));
                await().atMost(Duration.ofSeconds(60)).pollInSameThread().pollDelay(Duration.ZERO).until(() -> {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                        read.add(record.value());
                    }
                    return read.size() >= 2;
                });
            }
            assertThat(read).containsExactly("before", "after");
        }
    }
}
