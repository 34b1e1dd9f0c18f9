package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Kafka's size rule for a whole record, which the payload limit alone does not cover, holds before anything is sent. */
class KafkaRecordRulesIT {

    @Test
    void aRecordOfExactlyMaxRequestSizeIsSentAndOneByteMoreIsRefusedBeforeSending() throws Exception {
        String topic = "record-exact-" + System.nanoTime();
        Map<String, String> headers = Map.of("trace", "ü".repeat(40), "h", "v");
        Message empty = new Message(topic, "key-é", new byte[0], headers);
        int room = KafkaSettings.DEFAULT_MAX_REQUEST_SIZE - KafkaRecords.sizeUpperBound(empty);
        // The payload's own length varint grows from 1 to 3 bytes on the way to 1 MiB.
        Message exact = new Message(topic, "key-é", new byte[room - 2], headers);
        assertThat(KafkaRecords.sizeUpperBound(exact)).isEqualTo(KafkaSettings.DEFAULT_MAX_REQUEST_SIZE);
        try (Portal portal = KafkaHarness.INSTANCE.connect()) {
            assertThat(portal.publisher().publish(exact).get(60, TimeUnit.SECONDS).topic())
                    .as("the producer takes a record of exactly max.request.size").isEqualTo(topic);
            Message oneMore = new Message(topic, "key-é", new byte[room - 1], headers);
            assertThatThrownBy(() -> portal.publisher().publish(oneMore)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("max.request.size");
        }
    }

    @Test
    void aRecordOverMaxRequestSizeIsRejectedBeforeSendingAndARaisedLimitAdmitsIt() throws Exception {
        String topic = "record-rules-" + System.nanoTime();
        byte[] almostOneMiB = new byte[1024 * 1024 - 16];
        Message message = new Message(topic, "k", almostOneMiB, Map.of("h", "v"));
        try (Portal portal = KafkaHarness.INSTANCE.connect()) {
            assertThatThrownBy(() -> portal.publisher().publish(message)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(topic).hasMessageContaining("max.request.size");
        }
        String raised = KafkaHarness.INSTANCE.url() + "&kafka.producer.max.request.size=" + 2 * 1024 * 1024;
        try (Portal portal = Portal.connect(raised)) {
            assertThat(portal.publisher().publish(message).get(60, TimeUnit.SECONDS).topic()).isEqualTo(topic);
            assertThatThrownBy(() -> portal.publisher().publish(new Message(topic, "k", new byte[2 * 1024 * 1024 + 1], Map.of())))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("payload");
        }
    }
}
