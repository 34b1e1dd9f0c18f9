package io.cloudportal.kafka;

import io.cloudportal.messaging.Message;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What of one partition was handed to the handlers and not yet committed: the records in offset
 * order. The deque is the poll thread's alone; handler threads only write each record's
 * state and the highest offset they started.
 * The offset to commit is the first record not acknowledged, so an offset is never committed past
 * a message that was not handled or dead-lettered.
 */
final class PartitionLedger {

    /** {@link #cutoff} while the partition is not being handed over. */
    private static final long OPEN = Long.MAX_VALUE;
    /** {@link #cutoff} for the moment a hand-over takes the highest offset started. */
    private static final long COMPUTING = Long.MIN_VALUE;

    final TopicPartition partition;
    final ArrayDeque<Received> records = new ArrayDeque<>();
    long next = -1;
    long committed = -1;
    /** Set when the partition was revoked or lost: its records are no longer this member's to settle. */
    volatile boolean abandoned;
    /** The highest offset a handler was about to start; written by handler threads. */
    private final AtomicLong highestStarted = new AtomicLong(-1);
    /** Past this offset records are released rather than started: {@link #OPEN} until a hand-over begins. */
    private final AtomicLong cutoff = new AtomicLong(OPEN);

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

    /**
     * Starts handing the partition over, to another member or (closing) to whoever joins next.
     * The commit is the first record not acknowledged, so what is handled must stay a prefix: the
     * records up to the last one a handler started are still handled (the wait for them is the
     * revocation's or the close's), and the rest are released at once. A member joining a group
     * whose members hold a fetched backlog so gets its share of it, and a member leaving hands
     * over nothing it had handled. Once per partition, from any thread.
     */
    void startHandingOver() {
        if (cutoff.compareAndSet(OPEN, COMPUTING)) {
            cutoff.set(highestStarted.get());
        }
    }

    /**
     * Whether a record about to be handled should be released instead. The handler publishes its
     * offset before it reads {@link #cutoff}, and a hand-over marks the cutoff before it reads the
     * offsets published, so either the hand-over counts this record or this thread sees the
     * hand-over and waits the moment it takes to fix the cutoff.
     */
    private boolean releaseBeforeStarting(Received received) {
        long offset = received.record.offset();
        highestStarted.accumulateAndGet(offset, Math::max);
        if (abandoned) {
            return true;
        }
        long known;
        while ((known = cutoff.get()) == COMPUTING) {
            Thread.onSpinWait();
        }
        return offset > known;
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
            return ledger.releaseBeforeStarting(this);
        }

        @Override
        public boolean handleBeforeClosing() {
            // Asked once the subscription is closing: releasing this record while a later one of the partition is
            // acknowledged would have the commit stop short of the later one, which the next owner then handles again.
            ledger.startHandingOver();
            return !ledger.releaseBeforeStarting(this);
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
