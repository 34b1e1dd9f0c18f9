package io.cloudportal.kafka;

import io.cloudportal.messaging.Message;
import java.util.ArrayDeque;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What of one partition was handed to the handlers and not yet committed: the records in offset
 * order. The deque is the poll thread's alone; handler threads only write each record's state.
 * The offset to commit is the first record not acknowledged, so an offset is never committed past
 * a message that was not handled or dead-lettered.
 */
final class PartitionLedger {

    final TopicPartition partition;
    final ArrayDeque<Received> records = new ArrayDeque<>();
    long next = -1;
    long committed = -1;
    /** Set when the partition was revoked or lost: its records are no longer this member's to settle. */
    volatile boolean abandoned;

    PartitionLedger(TopicPartition partition) {
        this.partition = partition;
    }

    /** The offset to commit: the first record not acknowledged, or past the last one handed over. */
    long committable() {
        dropSettled();
        Received first = records.peek();
        return first == null ? next : first.record.offset();
    }

    void dropSettled() {
        while (!records.isEmpty() && records.peek().state == Received.ACKNOWLEDGED) {
            records.poll();
        }
    }

    /** Whether a handler still has one of its records. */
    boolean busy() {
        for (Received received : records) {
            if (received.state == Received.PENDING) {
                return true;
            }
        }
        return false;
    }

    void committed(long offset) {
        committed = Math.max(committed, offset);
    }

    /** A fetched record; its id is built only when asked: most handlers never do, and it would cost every message a string. */
    static final class Received implements io.cloudportal.spi.Received {
        static final int PENDING = 0;
        static final int ACKNOWLEDGED = 1;
        static final int RELEASED = 2;

        final PartitionLedger ledger;
        final ConsumerRecord<byte[], byte[]> record;
        final int bytes;
        private final KafkaBacklog backlog;
        private Message message;
        volatile int state;

        Received(PartitionLedger ledger, ConsumerRecord<byte[], byte[]> record, KafkaBacklog backlog) {
            this.ledger = ledger;
            this.record = record;
            this.backlog = backlog;
            this.bytes = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        }

        @Override
        public Message message() {
            // Built where first asked (a handler thread, or the poll thread choosing a key's lane), once.
            Message built = message;
            if (built == null) {
                built = KafkaRecords.toMessage(record);
                message = built;
            }
            return built;
        }

        @Override
        public String messageId() {
            return KafkaRecords.messageId(record.topic(), record.partition(), record.offset());
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public boolean stale() {
            return ledger.abandoned;
        }

        @Override
        public void acknowledge() {
            state = ACKNOWLEDGED;
            backlog.settled(bytes);
        }

        @Override
        public void release() {
            state = RELEASED;
            backlog.settled(bytes);
        }
    }
}
