package io.cloudportal.rocketmq;

import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.consumer.store.OffsetStore;
import org.apache.rocketmq.client.consumer.store.ReadOffsetType;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.consumer.DefaultMQPushConsumerImpl;
import org.apache.rocketmq.client.impl.consumer.ProcessQueue;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a push consumer of its own.
 * <ul>
 * <li>A consumer group: CLUSTERING with RocketMQ's orderly listener, whatever the ordering asked
 * for, because only it locks each queue on the broker: a member that loses a queue in a
 * rebalance finishes the message in hand and commits before the next member may take the queue,
 * so a rebalance never hands out a message twice (the concurrent listener redelivers everything
 * in flight on the queue; the orderly one, left alone, the batch in hand: see
 * {@link #noteSettled}). Handlers run in parallel across queues, up to {@code concurrency}.
 * A failed message of an unordered subscription goes back to the broker (what RECONSUME_LATER
 * does) and returns through the group's retry topic after the first delay level at least
 * {@code retryBackoff} long, while its queue moves on; ordered by key, it is retried in place
 * after {@code retryBackoff}, holding back its queue.</li>
 * <li>Broadcast: BROADCASTING, offsets in memory from the end of each queue; retries in place
 * (RocketMQ does not redeliver to a broadcasting consumer). Ordered by key, one handler at a time,
 * whatever {@code concurrency} says.</li>
 * </ul>
 * The handlers run on RocketMQ's consume threads, through the portable layer's
 * {@link DeliverySink#handleHere}; the attempt that uses up {@code maxAttempts} publishes the dead
 * letter ({@code %DLQ%<group>} by default) before RocketMQ moves on, and RocketMQ's own limit is
 * set one attempt later, so a failed dead-letter send still ends in RocketMQ's dead-letter queue
 * rather than nowhere.
 */
final class RocketMqSubscription implements DriverSubscription {

    private static final Logger LOG = LoggerFactory.getLogger(RocketMqSubscription.class);
    private static final AtomicInteger BROADCAST_GROUPS = new AtomicInteger();
    private static final int GROUP_BATCH = 32;
    private static final int MAX_LISTENER_BATCH = 1_024;
    /** How long close() waits for a queue's consume lock; a rebalance holds it only to hand the queue over. */
    private static final Duration HAND_OVER_WAIT = Duration.ofMillis(500);

    private final RocketMqConnection connection;
    private final SubscribeOptions options;
    private final DeliverySink sink;
    private final String group;
    private final int maxAttempts;
    private final DefaultMQPushConsumer consumer;
    /** Listener calls in progress; a call counts until its offset is noted in {@link #settled}. */
    private final AtomicInteger handling = new AtomicInteger();
    /** Per queue, the offset after the last message this member settled: what close() commits. */
    private final Map<MessageQueue, Long> settled = new ConcurrentHashMap<>();
    /** Set when close starts: messages not yet handed to the handler are left for the group's next member. */
    private volatile boolean refusing;
    /** Opened once close() has committed: the consumer threads holding back a batch may return it. */
    private final CountDownLatch committed = new CountDownLatch(1);

    private RocketMqSubscription(RocketMqConnection connection, SubscribeOptions options, DeliverySink sink) {
        this.connection = connection;
        this.options = options;
        this.sink = sink;
        this.group = options.group().map(portalGroup -> ConsumerGroups.of(portalGroup, options.topic()))
                .orElseGet(() -> "portal-broadcast-" + connection.context().connectionId() + "-" + BROADCAST_GROUPS.incrementAndGet());
        this.maxAttempts = options.maxAttempts() == SubscribeOptions.DEFAULT_MAX_ATTEMPTS
                ? defaultMaxAttempts(connection.settings()).orElse(options.maxAttempts()) : options.maxAttempts();
        this.consumer = new DefaultMQPushConsumer(group, RocketMqConnection.rpcHook(connection.settings()), new AllocateMessageQueueAveragely());
    }

    static RocketMqSubscription open(RocketMqConnection connection, SubscribeOptions options, DeliverySink sink) {
        connection.ensureOpen();
        RocketMqSubscription subscription = new RocketMqSubscription(connection, options, sink);
        subscription.start();
        return subscription;
    }

    /** The attempts of a subscription that keeps the default: RocketMQ's {@code maxReconsumeTimes} plus the first, where it is set. */
    static OptionalInt defaultMaxAttempts(RocketMqSettings settings) {
        return settings.maxReconsumeTimes().isPresent() ? OptionalInt.of(settings.maxReconsumeTimes().getAsInt() + 1) : OptionalInt.empty();
    }

    private void start() {
        String topic = options.topic();
        connection.ensureTopic(topic, connection.settings().queues());
        if (!options.isBroadcast()) {
            // The broker makes the retry topic at the group's first heartbeat, and the consumer would learn its route only at
            // the next route refresh (30 s by default); made here, the first redelivery does not wait for that.
            connection.ensureTopic(MixAll.getRetryTopic(group), 1);
        }
        connection.configureConsumer(consumer);
        consumer.setMessageModel(options.isBroadcast() ? MessageModel.BROADCASTING : MessageModel.CLUSTERING);
        // A new group starts at the beginning of what the broker keeps, as a Kafka group with auto.offset.reset=earliest;
        // a broadcast subscriber gets what is published after it subscribed.
        consumer.setConsumeFromWhere(options.isBroadcast() ? ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET : ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        options.startPosition().ifPresent(position -> RocketMqReplay.startAt(consumer, position));
        if (!options.isBroadcast()) {
            options.startPosition().ifPresent(position ->
                    RocketMqReplay.positionNewGroup(connection, topic, group, position, connection.operationTimeout()));
        }
        if (options.isBroadcast()) {
            consumer.setOffsetStore(new MemoryOffsetStore());
        }
        // An ordered broadcast subscriber handles one message at a time: RocketMQ's orderly listener, which would keep each
        // queue's order with more, did not deliver everything in BROADCASTING mode (TCK), and one thread keeps every order.
        int handlers = options.isBroadcast() && options.orderedByKey() ? 1 : options.concurrency();
        consumer.setConsumeThreadMin(handlers);
        consumer.setConsumeThreadMax(handlers);
        // A group member settles a batch of one queue's messages per call (each one through the handler on its own):
        // RocketMQ's orderly bookkeeping per call is what a member would otherwise pay per message.
        // A batch subscription's handler takes up to sink.batchSize() per call; RocketMQ allows at most 1,024 per listener call.
        consumer.setConsumeMessageBatchMaxSize(Math.min(MAX_LISTENER_BATCH, options.isBroadcast() ? sink.batchSize()
                : Math.max(GROUP_BATCH, sink.batchSize())));
        consumer.setMaxReconsumeTimes(maxAttempts);
        consumer.setAwaitTerminationMillisWhenShutdown(connection.operationTimeout().toMillis());
        try {
            consumer.subscribe(topic, "*");
            // Broadcast subscribers use RocketMQ's concurrent listener; a group needs the orderly one's queue locks.
            if (options.isBroadcast()) {
                // RocketMQ does not redeliver to a broadcasting consumer: every attempt happens here, in place.
                consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
                    handling.incrementAndGet();
                    try {
                        if (!refusing) {
                            List<RocketMqReceived> received = new ArrayList<>(messages.size());
                            for (MessageExt message : messages) {
                                received.add(new RocketMqReceived(message, null, this::sendBack));
                            }
                            sink.handleHere(received);
                        }
                        return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                    } finally {
                        handling.decrementAndGet();
                    }
                });
            } else {
                consumer.registerMessageListener((MessageListenerOrderly) (messages, context) -> {
                    handling.incrementAndGet();
                    boolean counted = true;
                    try {
                        context.setAutoCommit(true);
                        String broker = context.getMessageQueue().getBrokerName();
                        List<RocketMqReceived> received = new ArrayList<>(messages.size());
                        for (MessageExt message : messages) {
                            received.add(new RocketMqReceived(message, broker, this::sendBack));
                        }
                        boolean all = !refusing && sink.handleHere(received);
                        noteSettled(context.getMessageQueue(), received);
                        if (!all) {
                            // Closing: the rest of the batch is left for the member that takes the queue next. This thread
                            // waits until close() has committed the offset after the last message settled here, so that
                            // RocketMQ neither offers the batch again nor keeps a timer for it after the shutdown.
                            handling.decrementAndGet();
                            counted = false;
                            awaitCommitted();
                            context.setSuspendCurrentQueueTimeMillis(10);
                            return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
                        }
                        return ConsumeOrderlyStatus.SUCCESS;
                    } finally {
                        if (counted) {
                            handling.decrementAndGet();
                        }
                    }
                });
            }
            consumer.start();
        } catch (MQClientException e) {
            consumer.shutdown();
            throw new UnavailableException("cannot subscribe to '" + topic + "' as " + describe() + ": " + e.getErrorMessage(), e);
        }
        try {
            QueueAssignment.await(consumer, options, group, describe(), connection.operationTimeout());
        } catch (RuntimeException e) {
            consumer.shutdown();
            throw e;
        }
        LOG.debug("Subscribed to {} as {} ({} handler(s), {} attempt(s))", topic, describe(), options.concurrency(), maxAttempts);
    }

    private String describe() {
        return (options.isBroadcast() ? "a broadcast subscriber" : "group '" + group + "'") + (options.orderedByKey() ? " (ordered)" : "");
    }

    @Override
    public CompletionStage<?> deadLetter(Received original, String topic, Message deadLetter) {
        try {
            connection.ensureTopic(topic, 1);
            var dead = RocketMqMessages.toRocketMq(topic, deadLetter);
            SendStatus status = connection.producer().send(dead, connection.settings().sendTimeout().toMillis()).getSendStatus();
            if (status != SendStatus.SEND_OK) {
                return CompletableFuture.failedFuture(RocketMqPublisher.notDurable(topic, status));
            }
            return CompletableFuture.completedFuture(status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(e);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void stopReceiving() {
        consumer.suspend();
        refusing = true;
    }

    /**
     * Stops pulling and handing out messages, waits for the handlers running, commits the offsets
     * after what this member settled synchronously (RocketMQ's own commit at shutdown is one-way
     * and comes after it unlocked the queues, so the next member could read an older offset and
     * hand a handled message out again), then shuts the consumer down, which unlocks its queues.
     */
    @Override
    public void close(Duration timeout) throws InterruptedException {
        try {
            stopReceiving();
            long deadline = System.nanoTime() + timeout.toNanos();
            // The engine saw its handlers return; a listener call still notes its last offset after that.
            while (handling.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            boolean drained = handling.get() == 0;
            if (!options.isBroadcast()) {
                commitOffsets(consumer.getDefaultMQPushConsumerImpl());
            }
            committed.countDown();
            consumer.setAwaitTerminationMillisWhenShutdown(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            consumer.shutdown();
            if (!drained) {
                LOG.warn("Closing the subscription to '{}' as {}: handlers still running after {}; their messages will be delivered again",
                        options.topic(), describe(), timeout);
            }
        } finally {
            committed.countDown();
        }
    }

    /**
     * Notes the offset after the settled messages before the first one that was not (the offset is
     * one number per queue), here and in RocketMQ's offset store. The store must hear it now, while
     * the listener still holds the queue's consume lock: a rebalance that takes the queue away
     * marks it dropped, waits for that lock, sends the store's offset and unlocks the queue, and
     * RocketMQ's own update after the listener returns is skipped for a dropped queue, so the next
     * member would otherwise hand this batch out again.
     */
    private void noteSettled(MessageQueue queue, List<RocketMqReceived> received) {
        long next = -1;
        for (RocketMqReceived message : received) {
            if (!message.settled()) {
                break;
            }
            next = message.queueOffset() + 1;
        }
        if (next >= 0) {
            settled.merge(queue, next, Math::max);
            consumer.getDefaultMQPushConsumerImpl().getOffsetStore().updateOffset(queue, next, true);
        }
    }

    /**
     * Per queue held: the messages pulled and not yet consumed, plus those on the broker past the
     * last pull (RocketMQ's {@code msgAccCnt}, the queue's end less the last offset pulled, which
     * counts that message too), as of the last pull: no call to the broker.
     */
    @Override
    public OptionalLong lag() {
        long sum = 0;
        for (ProcessQueue queue : consumer.getDefaultMQPushConsumerImpl().getRebalanceImpl().getProcessQueueTable().values()) {
            if (!queue.isDropped()) {
                sum += Math.max(0, queue.getMsgAccCnt() - 1) + queue.getMsgCount().get();
            }
        }
        return OptionalLong.of(sum);
    }

    private void awaitCommitted() {
        try {
            if (!committed.await(connection.operationTimeout().toMillis() * 2, TimeUnit.MILLISECONDS)) {
                LOG.warn("A batch of '{}' held back for closing waited {} for the close to commit", options.topic(),
                        connection.operationTimeout().multipliedBy(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Commits the offsets of the queues this member still holds. A queue a rebalance took away is
     * skipped: its next owner may have moved the broker's offset on since, and this member's would
     * set it back (the TCK saw 366 messages handled twice that way). Each commit holds the queue's
     * consume lock shared, as a listener does (one may be waiting here for this very commit): a
     * rebalance needs it exclusively before it unlocks the queue for the next owner.
     */
    private void commitOffsets(DefaultMQPushConsumerImpl impl) {
        OffsetStore store = impl.getOffsetStore();
        Map<MessageQueue, ProcessQueue> held = impl.getRebalanceImpl().getProcessQueueTable();
        settled.forEach((queue, offset) -> {
            ProcessQueue processQueue = held.get(queue);
            if (processQueue == null) {
                return;
            }
            Lock consumeLock = processQueue.getConsumeLock().readLock();
            try {
                // Not acquired: a rebalance is handing the queue over, and commits the store's offset itself.
                if (!consumeLock.tryLock(HAND_OVER_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            try {
                if (processQueue.isDropped()) {
                    return;
                }
                store.updateOffset(queue, offset, true);
                store.updateConsumeOffsetToBroker(queue, store.readOffset(queue, ReadOffsetType.READ_FROM_MEMORY), false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("Committing offset {} of {} for group '{}' failed; RocketMQ commits it once more at shutdown: {}", offset, queue, group,
                        e.toString());
            } finally {
                consumeLock.unlock();
            }
        });
    }

    /**
     * Unordered group members hand a failed message back, as RECONSUME_LATER does: it returns
     * through the group's retry topic after the first delay level at least this long, while its
     * queue moves on. Ordered by key it is retried in place, holding back its queue.
     *
     * @return true if RocketMQ took it back
     */
    private boolean sendBack(MessageExt message, String broker, Duration backoff) {
        if (broker == null || options.orderedByKey()) {
            return false;
        }
        int level = connection.settings().delayLevelAtLeast(backoff);
        try {
            consumer.sendMessageBack(message, level == 0 ? connection.settings().delayLevels().size() : level, broker);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.debug("Sending message {} of '{}' back for redelivery failed; retrying it in place: {}", message.getMsgId(),
                    options.topic(), e.toString());
            return false;
        }
    }
}
