package io.cloudportal.kafka;

import io.cloudportal.messaging.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * How a Portal message looks as a Kafka record, both ways: the key is UTF-8 text (so Kafka's
 * default partitioner keeps one key on one partition), the payload the plain bytes, and each
 * header a Kafka header with a UTF-8 value. Any Kafka client reads and writes this form.
 */
final class KafkaRecords {

    /** A record batch's header in the v2 format; a batch of one record carries it too. */
    private static final int BATCH_OVERHEAD = 61;
    /** Kafka's bound on a record's attributes, timestamp delta, offset delta and length ({@code DefaultRecord.MAX_RECORD_OVERHEAD}). */
    private static final int RECORD_OVERHEAD = 1 + 10 + 5 + 5;

    private KafkaRecords() {
    }

    static ProducerRecord<byte[], byte[]> toRecord(Message message) {
        return new ProducerRecord<>(message.topic(), null, key(message), message.payload(), headers(message.headers()));
    }

    static Message toMessage(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> headers = null;
        for (Header header : record.headers()) {
            if (headers == null) {
                headers = new LinkedHashMap<>();
            }
            headers.put(header.key(), header.value() == null ? "" : new String(header.value(), StandardCharsets.UTF_8));
        }
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        return new Message(record.topic(), key, record.value() == null ? new byte[0] : record.value(), headers);
    }

    static String messageId(String topic, int partition, long offset) {
        return topic + "-" + partition + "@" + offset;
    }

    /**
     * The size the producer holds against {@code max.request.size} before sending: Kafka's own
     * bound for an uncompressed batch of one record ({@code AbstractRecords.estimateSizeInBytesUpperBound}
     * for the v2 format), with each length as the varint it is written as.
     */
    static int sizeUpperBound(Message message) {
        long size = BATCH_OVERHEAD + RECORD_OVERHEAD;
        if (message.key() == null) {
            size += 1;
        } else {
            size += sized(utf8Length(message.key()));
        }
        size += sized(message.payloadSize());
        size += ByteUtils.sizeOfVarint(message.headers().size());
        for (Map.Entry<String, String> header : message.headers().entrySet()) {
            size += sized(utf8Length(header.getKey())) + sized(utf8Length(header.getValue()));
        }
        return (int) Math.min(Integer.MAX_VALUE, size);
    }

    /** A length-prefixed field: the varint of its length, then its bytes. */
    private static long sized(int bytes) {
        return ByteUtils.sizeOfVarint(bytes) + (long) bytes;
    }

    private static byte[] key(Message message) {
        return message.key() == null ? null : message.key().getBytes(StandardCharsets.UTF_8);
    }

    private static List<Header> headers(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        List<Header> kafka = new ArrayList<>(headers.size());
        headers.forEach((name, value) -> kafka.add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8))));
        return kafka;
    }

    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
