package io.cloudportal.kafka;

import io.cloudportal.ConfigurationException;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.SettlingDelivery;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a {@link KafkaConsumer} driven by its own poll thread, handlers on their own
 * threads. The poll thread only fetches, dispatches and commits, so the consumer keeps its group
 * membership however slow the handlers are.
 *
 * <p>At-least-once: an offset is committed only once every record before it in its partition was
 * handled (or dead-lettered); on a partition's revocation the records already fetched are handled
 * and committed before the partition moves, so a rebalance neither loses nor repeats them. A
 * failing record is retried in place after the backoff (which keeps per-key order), then
 * dead-lettered. When more than {@code maxInFlight} records or {@code maxInFlightBytes} wait for
 * handlers, fetching pauses until both are down to half.
 */
final class KafkaSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSubscription.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** A safety net only: handlers wake the poll thread when the backlog drains. */
    private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(20);
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);

    private final KafkaConnection connection;
    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final String deadLetterTopic;
    private final Consumer<KafkaSubscription> onClosed;
    private final Duration operationTimeout;
    private final int maxInFlight;
    private final long maxInFlightBytes;
    private final KafkaConsumer<byte[], byte[]> consumer;
    /** Ordered by key: one single-threaded lane per handler, a key always on the same lane. Otherwise one pool. */
    private final ExecutorService[] lanes;
    private final Thread poller;

    /** Per assigned partition; touched by the poll thread only. */
    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private final AtomicInteger running = new AtomicInteger();
    /** Notified when a chunk finishes or the subscription starts closing. */
    private final Object progress = new Object();
    private final CountDownLatch assigned = new CountDownLatch(1);
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Set on close: no handler starts any more. */
    private volatile boolean stopping;
    private volatile boolean pollerDone;
    private volatile long drainDeadline;
    /** Written by the poll thread; read by handler threads to wake it when the backlog has drained. */
    private volatile boolean paused;
    private long lastCommit;

    KafkaSubscription(KafkaConnection connection, SubscribeOptions options, MessageHandler handler, String deadLetterTopic, int number,
                      Consumer<KafkaSubscription> onClosed) {
        this.connection = connection;
        this.options = options;
        this.handler = handler;
        this.deadLetterTopic = deadLetterTopic;
        this.onClosed = onClosed;
        this.operationTimeout = connection.context().operationTimeout();
        this.maxInFlight = connection.settings().maxInFlight();
        this.maxInFlightBytes = connection.settings().maxInFlightBytes();
        Map<String, Object> config = new HashMap<>(connection.settings().consumer());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, config.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-consumer-" + number);
        options.group().ifPresent(group -> config.put(ConsumerConfig.GROUP_ID_CONFIG, group));
        try {
            this.consumer = new KafkaConsumer<>(config);
        } catch (KafkaException e) {
            throw new ConfigurationException("Kafka rejected the consumer settings: " + e.getMessage(), e);
        }
        var threads = connection.context().threadFactory("kafka-handler-" + options.topic());
        if (options.orderedByKey() && options.concurrency() > 1) {
            lanes = new ExecutorService[options.concurrency()];
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = Executors.newSingleThreadExecutor(threads);
            }
        } else {
            lanes = new ExecutorService[] {Executors.newFixedThreadPool(options.concurrency(), threads)};
        }
        poller = connection.context().threadFactory("kafka-poll-" + options.topic()).newThread(this::pollLoop);
    }

    /** Joins the group (or takes every partition, for broadcast) and returns once messages flow. */
    void start() {
        try {
            connection.topics().ensure(options.topic());
            if (options.isBroadcast()) {
                assignEveryPartitionAtTheEnd();
            } else {
                consumer.subscribe(List.of(options.topic()), new Rebalance());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw new PortalException("interrupted while subscribing to '" + options.topic() + "'", e);
        } catch (RuntimeException e) {
            abort();
            throw KafkaErrors.map("subscribing to '" + options.topic() + "'", e);
        }
        poller.start();
        if (options.isBroadcast()) {
            return;
        }
        // Returning before the group assigned this member would let a caller publish and then close before it saw anything.
        boolean joined;
        try {
            joined = assigned.await(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            joined = false;
        }
        if (!joined) {
            close();
            throw new UnavailableException("consumer group '" + options.group().orElseThrow() + "' on topic '" + options.topic()
                    + "' did not take this member in within " + operationTimeout);
        }
    }

    /** Broadcast: no group, every partition from its current end, positions fixed before returning. */
    private void assignEveryPartitionAtTheEnd() {
        long deadline = System.nanoTime() + operationTimeout.toNanos();
        List<PartitionInfo> partitions = consumer.partitionsFor(options.topic(), operationTimeout);
        // A topic created a moment ago may not be in this broker's metadata yet.
        while (partitions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            partitions = consumer.partitionsFor(options.topic(), operationTimeout);
        }
        if (partitions.isEmpty()) {
            throw new UnavailableException("topic '" + options.topic() + "' has no partitions after " + operationTimeout);
        }
        List<TopicPartition> all = partitions.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        consumer.assign(all);
        consumer.seekToEnd(all);
        for (TopicPartition partition : all) {
            consumer.position(partition, operationTimeout);
        }
    }

    private void abort() {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
        Arrays.stream(lanes).forEach(ExecutorService::shutdownNow);
        onClosed.accept(this);
    }

    @Override
    public SubscribeOptions options() {
        return options;
    }

    /** Records fetched and handed to handlers but not yet done; for this driver's tests. */
    int inFlight() {
        return inFlight.get();
    }

    // The poll thread.

    private void pollLoop() {
        try {
            while (!pollerDone) {
                if (!stopping) {
                    // Before polling, so a handler's wakeup resumes fetching in this very poll.
                    applyBackpressure();
                }
                ConsumerRecords<byte[], byte[]> records;
                try {
                    records = consumer.poll(paused ? PAUSED_POLL_TIMEOUT : POLL_TIMEOUT);
                } catch (WakeupException e) {
                    continue;
                }
                if (stopping) {
                    // Fetched but not handed out: not in any ledger, so never committed; the next owner reads them.
                    consumer.pause(consumer.assignment());
                } else {
                    dispatch(records);
                    applyBackpressure();
                }
                commit(false);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("Subscription to '{}' stopped: its consumer failed; messages are no longer consumed", options.topic(), e);
        } finally {
            try {
                if (options.isBroadcast()) {
                    commit(true);
                } else {
                    commitSurvivingWakeup(List.copyOf(ledgers.values()));
                }
            } catch (RuntimeException e) {
                LOG.warn("Subscription to '{}' could not commit its last offsets; they are consumed again: {}", options.topic(),
                        e.getMessage());
            }
            try {
                consumer.close(CloseOptions.timeout(operationTimeout));
            } catch (RuntimeException e) {
                LOG.debug("Closing the consumer of '{}'", options.topic(), e);
            }
        }
    }

    /**
     * Hands a poll's records to the lanes, one task per lane and poll: waking a handler thread
     * per partition cost more than the records took to handle.
     */
    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        List<List<Chunk>> perLane = new ArrayList<>(lanes.length);
        for (int i = 0; i < lanes.length; i++) {
            perLane.add(new ArrayList<>());
        }
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> batch = records.records(partition);
            PartitionLedger ledger = ledgers.computeIfAbsent(partition, PartitionLedger::new);
            ledger.next = batch.get(batch.size() - 1).offset() + 1;
            inFlight.addAndGet(batch.size());
            if (lanes.length > 1) {
                List<List<ConsumerRecord<byte[], byte[]>>> byLane = new ArrayList<>(lanes.length);
                for (int i = 0; i < lanes.length; i++) {
                    byLane.add(new ArrayList<>());
                }
                for (ConsumerRecord<byte[], byte[]> record : batch) {
                    int hash = record.key() == null ? partition.partition() : Arrays.hashCode(record.key());
                    byLane.get(Math.floorMod(hash, lanes.length)).add(record);
                }
                for (int i = 0; i < lanes.length; i++) {
                    if (!byLane.get(i).isEmpty()) {
                        perLane.get(i).add(chunk(ledger, byLane.get(i)));
                    }
                }
            } else if (options.concurrency() == 1) {
                perLane.get(0).add(chunk(ledger, batch));
            } else {
                // Unordered on a pool: contiguous slices, one per handler thread at most, each a task of its own.
                int slices = Math.min(options.concurrency(), batch.size());
                int size = (batch.size() + slices - 1) / slices;
                for (int from = 0; from < batch.size(); from += size) {
                    Chunk slice = chunk(ledger, batch.subList(from, Math.min(batch.size(), from + size)));
                    lanes[0].execute(() -> handle(slice));
                }
            }
        }
        for (int i = 0; i < lanes.length; i++) {
            List<Chunk> chunks = perLane.get(i);
            if (!chunks.isEmpty()) {
                lanes[i].execute(() -> chunks.forEach(this::handle));
            }
        }
    }

    private Chunk chunk(PartitionLedger ledger, List<ConsumerRecord<byte[], byte[]>> records) {
        long bytes = 0;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            bytes += Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        }
        Chunk chunk = new Chunk(ledger, records, bytes);
        ledger.chunks.add(chunk);
        inFlightBytes.addAndGet(bytes);
        return chunk;
    }

    private void applyBackpressure() {
        if (inFlight.get() >= maxInFlight || inFlightBytes.get() >= maxInFlightBytes) {
            // Every time: partitions assigned since the last pause start unpaused.
            consumer.pause(consumer.assignment());
            paused = true;
        } else if (paused && drainedToHalf()) {
            consumer.resume(consumer.paused());
            paused = false;
        }
    }

    /** Resuming only at half, not just below the bound, keeps the pause-resume cycles (each a wakeup) rare. */
    private boolean drainedToHalf() {
        return inFlight.get() <= maxInFlight / 2 && inFlightBytes.get() <= maxInFlightBytes / 2;
    }

    private void commit(boolean sync) {
        if (options.isBroadcast()) {
            // Nothing to commit without a group; only let go of the chunks that are done.
            ledgers.values().forEach(PartitionLedger::dropDoneChunks);
            return;
        }
        if (sync || System.nanoTime() - lastCommit >= COMMIT_INTERVAL_NANOS) {
            commit(ledgers.values(), sync);
        }
    }

    /**
     * A synchronous commit that a pending {@link KafkaConsumer#wakeup()} (from close, or from a
     * handler resuming a paused consumer) does not cancel: a wakeup aborts only one blocking call.
     */
    private void commitSurvivingWakeup(Collection<PartitionLedger> which) {
        try {
            commit(which, true);
        } catch (WakeupException e) {
            commit(which, true);
        }
    }

    private void commit(Collection<PartitionLedger> which, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Map<TopicPartition, PartitionLedger> committing = new HashMap<>();
        for (PartitionLedger ledger : which) {
            long offset = ledger.committable();
            if (offset > ledger.committed) {
                offsets.put(ledger.partition, new OffsetAndMetadata(offset));
                committing.put(ledger.partition, ledger);
            }
        }
        if (offsets.isEmpty()) {
            return;
        }
        lastCommit = System.nanoTime();
        if (sync) {
            consumer.commitSync(offsets, operationTimeout);
            offsets.forEach((partition, offset) -> committing.get(partition).committed(offset.offset()));
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    LOG.debug("Commit of {} failed; a later one covers it: {}", done, error.getMessage());
                } else {
                    done.forEach((partition, offset) -> committing.get(partition).committed(offset.offset()));
                }
            });
        }
    }

    /** Waits until every chunk of these partitions has finished (handled, or given up because the subscription closes). */
    private void awaitChunks(Collection<PartitionLedger> which, long deadline) {
        synchronized (progress) {
            while (which.stream().anyMatch(PartitionLedger::busy)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("Handlers of '{}' still running after {}; their messages will be delivered again", options.topic(),
                            operationTimeout);
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Runs on the poll thread, inside {@code poll} or {@code close}. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<PartitionLedger> revoked = partitions.stream().map(ledgers::get).filter(Objects::nonNull).toList();
            long deadline = stopping ? drainDeadline : System.nanoTime() + operationTimeout.toNanos();
            awaitChunks(revoked, deadline);
            try {
                commitSurvivingWakeup(revoked);
            } catch (RuntimeException e) {
                LOG.warn("Could not commit {} before handing it over; its last messages are consumed again: {}", partitions,
                        e.getMessage());
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.debug("Subscription to '{}' assigned {}", options.topic(), partitions);
            assigned.countDown();
        }

        private void forget(Collection<TopicPartition> partitions) {
            for (TopicPartition partition : partitions) {
                PartitionLedger ledger = ledgers.remove(partition);
                if (ledger != null) {
                    ledger.abandoned = true;
                }
            }
        }
    }

    // Handler threads.

    private void handle(Chunk chunk) {
        // Counted per chunk, not per record: once closing, a chunk stops after the record in its handler.
        running.incrementAndGet();
        try {
            for (ConsumerRecord<byte[], byte[]> record : chunk.records) {
                if (stopping || chunk.ledger.abandoned || !handleUntilSettled(record)) {
                    return;
                }
                chunk.done++;
            }
        } finally {
            // Once per chunk, not per record: the poll thread reads this counter all the time.
            inFlight.addAndGet(-chunk.records.size());
            inFlightBytes.addAndGet(-chunk.bytes);
            if (paused && drainedToHalf()) {
                // The poll thread may be waiting out its poll timeout; resuming now keeps the handlers fed.
                consumer.wakeup();
            }
            chunk.finished = true;
            running.decrementAndGet();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    /**
     * Delivers a record until the handler takes it or the attempts are used up and it was
     * dead-lettered; false if the subscription closed first (the record then stays uncommitted).
     */
    private boolean handleUntilSettled(ConsumerRecord<byte[], byte[]> record) {
        Message message = KafkaRecords.toMessage(record);
        for (int attempt = 1; ; attempt++) {
            KafkaDelivery delivery = new KafkaDelivery(message, attempt, record);
            String failure;
            try {
                handler.handle(delivery);
                failure = delivery.rejected() ? "rejected by the handler (nack)" : null;
            } catch (Exception | Error e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                LOG.debug("Handler of '{}' failed on {} (attempt {})", options.topic(), delivery.messageId(), attempt, e);
                failure = delivery.acknowledged() ? null : e.getClass().getName() + ": " + e.getMessage();
            }
            if (failure == null) {
                return true;
            }
            if (attempt >= options.maxAttempts()) {
                return deadLetter(message, delivery.messageId(), attempt, failure);
            }
            if (!pause(options.retryBackoff())) {
                return false;
            }
        }
    }

    private boolean deadLetter(Message message, String id, int attempts, String reason) {
        Map<String, String> why = new LinkedHashMap<>();
        why.put(DeadLetters.REASON_HEADER, reason);
        why.put(DeadLetters.ATTEMPTS_HEADER, Integer.toString(attempts));
        why.put(DeadLetters.ORIGINAL_TOPIC_HEADER, message.topic());
        why.put(DeadLetters.ORIGINAL_ID_HEADER, id);
        while (true) {
            try {
                connection.topics().ensure(deadLetterTopic);
                connection.producer().send(KafkaRecords.toRecord(deadLetterTopic, message, why))
                        .get(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.debug("Dead-lettered {} to '{}' after {} attempts: {}", id, deadLetterTopic, attempts, reason);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                // Committing past a message that is not in the dead-letter topic would lose it: keep trying.
                LOG.warn("Could not dead-letter {} to '{}'; trying again: {}", id, deadLetterTopic, KafkaErrors.unwrap(e).getMessage());
                if (!pause(DEAD_LETTER_RETRY)) {
                    return false;
                }
            }
        }
    }

    /** Waits, unless the subscription starts closing; true if it is still open. */
    private boolean pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (progress) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !stopping;
    }

    // Closing.

    @Override
    public boolean close(Duration timeout) throws InterruptedException {
        if (!closing.compareAndSet(false, true)) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        drainDeadline = deadline;
        boolean drained;
        synchronized (progress) {
            stopping = true;
            progress.notifyAll();
            while (running.get() > 0 && deadline - System.nanoTime() > 0) {
                TimeUnit.NANOSECONDS.timedWait(progress, Math.max(1, Math.min(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(10))));
            }
            drained = running.get() == 0;
        }
        // The poll thread commits what was handled and leaves the group, handing the rest to the other members.
        pollerDone = true;
        consumer.wakeup();
        poller.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + operationTimeout.toMillis()));
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
        for (ExecutorService lane : lanes) {
            if (!lane.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                lane.shutdownNow();
                drained = false;
            }
        }
        onClosed.accept(this);
        return drained;
    }

    @Override
    public void close() {
        try {
            close(operationTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "KafkaSubscription[" + options.topic() + options.group().map(g -> ", group " + g).orElse(", broadcast") + "]";
    }

    /** What of one partition was handed to handlers and what of it is done. Poll thread, except {@code Chunk.done}. */
    private static final class PartitionLedger {
        final TopicPartition partition;
        final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
        long next = -1;
        long committed = -1;
        volatile boolean abandoned;

        PartitionLedger(TopicPartition partition) {
            this.partition = partition;
        }

        /** The offset to commit: the first record not yet done, or past the last dispatched one. */
        long committable() {
            dropDoneChunks();
            long first = next;
            for (Chunk chunk : chunks) {
                int done = chunk.done;
                if (done < chunk.records.size()) {
                    first = Math.min(first, chunk.records.get(done).offset());
                }
            }
            return first;
        }

        void dropDoneChunks() {
            while (!chunks.isEmpty() && chunks.peek().isDone()) {
                chunks.poll();
            }
        }

        boolean busy() {
            return chunks.stream().anyMatch(chunk -> !chunk.finished);
        }

        void committed(long offset) {
            committed = Math.max(committed, offset);
        }
    }

    /** Records of one partition handled in order by one handler thread. */
    private static final class Chunk {
        final PartitionLedger ledger;
        final List<ConsumerRecord<byte[], byte[]>> records;
        final long bytes;
        /** Written by the handler thread only. */
        volatile int done;
        volatile boolean finished;

        Chunk(PartitionLedger ledger, List<ConsumerRecord<byte[], byte[]>> records, long bytes) {
            this.ledger = ledger;
            this.records = records;
            this.bytes = bytes;
        }

        boolean isDone() {
            return done == records.size();
        }
    }

    /** A delivered record; its id is built only when asked: most handlers never do, and it would cost every message a string. */
    private static final class KafkaDelivery extends SettlingDelivery {
        private final ConsumerRecord<byte[], byte[]> record;

        KafkaDelivery(Message message, int attempt, ConsumerRecord<byte[], byte[]> record) {
            super(message, attempt);
            this.record = record;
        }

        @Override
        public String messageId() {
            return KafkaRecords.messageId(record.topic(), record.partition(), record.offset());
        }
    }
}
