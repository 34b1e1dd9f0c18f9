package io.cloudportal.kafka;

import io.cloudportal.ConfigurationException;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
 * One subscription: a {@link KafkaConsumer} driven by its own poll thread, which only fetches,
 * hands records to the portable layer's handlers and commits, so the consumer keeps its group
 * membership however slow the handlers are.
 *
 * <p>At-least-once: an offset is committed only once every record before it in its partition was
 * acknowledged (handled or dead-lettered); on a partition's revocation the records already fetched
 * are settled and committed before the partition moves, so a rebalance neither loses nor repeats
 * them. When more than {@code maxInFlight} records or {@code maxInFlightBytes} wait for handlers,
 * fetching pauses until both are down to half.
 */
final class KafkaSubscription implements DriverSubscription {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSubscription.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
    /** A safety net only: handlers wake the poll thread when the backlog drains. */
    private static final Duration PAUSED_POLL_TIMEOUT = Duration.ofMillis(20);
    private static final long COMMIT_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How often a revocation looks whether the handlers settled the partition's records. */
    private static final long SETTLED_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final KafkaConnection connection;
    private final SubscribeOptions options;
    private final DeliverySink sink;
    private final Consumer<KafkaSubscription> onClosed;
    private final Duration operationTimeout;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread poller;

    /** Per assigned partition; touched by the poll thread only. */
    private final Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>();
    private final KafkaBacklog backlog;
    private final CountDownLatch assigned = new CountDownLatch(1);
    /** Set when closing starts: nothing more is handed over. */
    private volatile boolean stopping;
    private volatile boolean pollerDone;
    private volatile long closeDeadline;
    /** Records of the assigned partitions not fetched yet, as of the last poll; written by the poll thread. */
    private volatile long unfetched;
    private long lastCommit;

    KafkaSubscription(KafkaConnection connection, SubscribeOptions options, DeliverySink sink, int number,
                      Consumer<KafkaSubscription> onClosed) {
        this.connection = connection;
        this.options = options;
        this.sink = sink;
        this.onClosed = onClosed;
        this.operationTimeout = connection.context().operationTimeout();
        Map<String, Object> config = new HashMap<>(connection.settings().consumer());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, config.get(ConsumerConfig.CLIENT_ID_CONFIG) + "-consumer-" + number);
        options.group().ifPresent(group -> config.put(ConsumerConfig.GROUP_ID_CONFIG, group));
        options.startPosition().ifPresent(position -> config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, KafkaReplay.autoOffsetReset(position)));
        try {
            this.consumer = new KafkaConsumer<>(config);
        } catch (KafkaException e) {
            throw new ConfigurationException("Kafka rejected the consumer settings: " + e.getMessage(), e);
        }
        this.backlog = new KafkaBacklog(connection.settings().maxInFlight(), connection.settings().maxInFlightBytes(), consumer::wakeup);
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
            stopReceiving();
            try {
                close(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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
        KafkaReplay.seek(consumer, all, options.startPosition().orElse(io.cloudportal.messaging.StartPosition.latest()), operationTimeout);
        for (TopicPartition partition : all) {
            consumer.position(partition, operationTimeout);
        }
    }

    private void abort() {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
        onClosed.accept(this);
    }

    /**
     * What the consumer knows of its partitions' ends, which each fetch brings. For a partition whose end it does not
     * know yet (before its first fetch answer) currentLag sends one ListOffsets request in the background and counts
     * 0 meanwhile; the gauge itself only reads {@link #unfetched}.
     */
    private void noteUnfetched() {
        long sum = 0;
        for (TopicPartition partition : consumer.assignment()) {
            sum += consumer.currentLag(partition).orElse(0);
        }
        unfetched = sum;
    }

    /** Not fetched yet, plus fetched and not settled: what the group's commit for this member's partitions is short of. */
    @Override
    public OptionalLong lag() {
        return OptionalLong.of(unfetched + backlog.records());
    }

    /** Records fetched and handed to handlers but not yet done; for this driver's tests. */
    int inFlight() {
        return backlog.records();
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
                    records = consumer.poll(backlog.paused() ? PAUSED_POLL_TIMEOUT : POLL_TIMEOUT);
                } catch (WakeupException e) {
                    continue;
                }
                noteUnfetched();
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

    /** Hands a poll's records over in one go: one wake-up per handler lane and poll, not one per partition. */
    private void dispatch(ConsumerRecords<byte[], byte[]> records) {
        if (records.isEmpty()) {
            return;
        }
        List<PartitionLedger.Received> batch = new ArrayList<>(records.count());
        long bytes = 0;
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<byte[], byte[]>> fetched = records.records(partition);
            PartitionLedger ledger = ledgers.computeIfAbsent(partition, PartitionLedger::new);
            ledger.next = fetched.get(fetched.size() - 1).offset() + 1;
            for (ConsumerRecord<byte[], byte[]> record : fetched) {
                PartitionLedger.Received received = new PartitionLedger.Received(ledger, record, backlog);
                ledger.records.add(received);
                batch.add(received);
                bytes += received.bytes;
            }
        }
        backlog.added(batch.size(), bytes);
        sink.deliver(batch);
    }

    private void applyBackpressure() {
        if (backlog.full()) {
            // Every time: partitions assigned since the last pause start unpaused.
            consumer.pause(consumer.assignment());
            backlog.paused(true);
        } else if (backlog.paused() && backlog.drainedToHalf()) {
            consumer.resume(consumer.paused());
            backlog.paused(false);
        }
    }

    private void commit(boolean sync) {
        if (options.isBroadcast()) {
            // Nothing to commit without a group; only let go of the records that are done.
            ledgers.values().forEach(PartitionLedger::dropSettled);
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

    /**
     * Waits until every record of these partitions was settled (or released because the
     * subscription closes). Looked at every few milliseconds: a revocation is rare, and a signal per
     * settled record would cost every record a lock.
     */
    private void awaitSettled(Collection<PartitionLedger> which, long deadline) {
        while (which.stream().anyMatch(PartitionLedger::busy)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                LOG.warn("Handlers of '{}' still running after {}; their messages will be delivered again", options.topic(),
                        operationTimeout);
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, SETTLED_CHECK_NANOS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Runs on the poll thread, inside {@code poll} or {@code close}. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<PartitionLedger> revoked = partitions.stream().map(ledgers::get).filter(Objects::nonNull).toList();
            revoked.forEach(PartitionLedger::startHandingOver);
            long deadline = stopping ? closeDeadline : System.nanoTime() + operationTimeout.toNanos();
            awaitSettled(revoked, deadline);
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
            options.startPosition().ifPresent(position -> KafkaReplay.seekUncommitted(consumer, partitions, position, operationTimeout));
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

    @Override
    public CompletionStage<?> deadLetter(Received original, String topic, Message deadLetter) {
        CompletableFuture<Object> sent = new CompletableFuture<>();
        try {
            connection.topics().ensure(topic);
            connection.producer().send(KafkaRecords.toRecord(deadLetter), (metadata, error) -> {
                if (error == null) {
                    sent.complete(metadata);
                } else {
                    sent.completeExceptionally(KafkaErrors.unwrap(error));
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sent.completeExceptionally(e);
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }

    // Closing.

    @Override
    public void stopReceiving() {
        stopping = true;
        closeDeadline = System.nanoTime() + operationTimeout.toNanos();
    }

    /** The poll thread commits what was settled and leaves the group, handing the rest to the other members. */
    @Override
    public void close(Duration timeout) throws InterruptedException {
        stopping = true;
        closeDeadline = System.nanoTime() + timeout.toNanos();
        pollerDone = true;
        consumer.wakeup();
        poller.join(Math.max(1, timeout.toMillis() + operationTimeout.toMillis()));
        onClosed.accept(this);
    }

    @Override
    public String toString() {
        return "KafkaSubscription[" + options.topic() + options.group().map(g -> ", group " + g).orElse(", broadcast") + "]";
    }
}
