package io.cloudportal.rocketmq;

import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.SettlingDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
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
import org.apache.rocketmq.client.impl.factory.MQClientInstance;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageConst;
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
 * in flight on the queue). Handlers run in parallel across queues, up to {@code concurrency}.
 * A failed message of an unordered subscription goes back to the broker (what RECONSUME_LATER
 * does) and returns through the group's retry topic after the first delay level at least
 * {@code retryBackoff} long, while its queue moves on; ordered by key, it is retried in place
 * after {@code retryBackoff}, holding back its queue.</li>
 * <li>Broadcast: BROADCASTING, offsets in memory from the end of each queue; retries in place
 * (RocketMQ does not redeliver to a broadcasting consumer). Ordered by key, one handler at a time,
 * whatever {@code concurrency} says.</li>
 * </ul>
 * In every mode the attempt that uses up {@code maxAttempts} sends the message, with the
 * {@link DeadLetters} headers, to the dead-letter topic ({@code %DLQ%<group>} by default) and
 * only then lets RocketMQ move on; RocketMQ's own limit is set one attempt later, so a failed
 * dead-letter send still ends in RocketMQ's dead-letter queue rather than nowhere.
 */
final class RocketMqSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(RocketMqSubscription.class);
    private static final int MAX_REASON_LENGTH = 1_000;
    private static final AtomicInteger BROADCAST_GROUPS = new AtomicInteger();
    private static final int GROUP_BATCH = 32;

    private final RocketMqConnection connection;
    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final String deadLetterTopic;
    private final Consumer<RocketMqSubscription> onClose;
    private final String group;
    private final int maxAttempts;
    private final DefaultMQPushConsumer consumer;
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Handlers (and refusals) in progress. */
    private final AtomicInteger handling = new AtomicInteger();
    /** Per queue, the offset after the last message this member settled: what close() commits. */
    private final Map<MessageQueue, Long> settled = new ConcurrentHashMap<>();
    /** Set when close starts: messages not yet handed to the handler are left for the group's next member. */
    private volatile boolean refusing;
    /** Opened once close() has committed: the consumer threads holding back a batch may return it. */
    private final CountDownLatch committed = new CountDownLatch(1);
    private volatile boolean drained;

    private RocketMqSubscription(RocketMqConnection connection, SubscribeOptions options, MessageHandler handler, String deadLetterTopic,
                                 Consumer<RocketMqSubscription> onClose) {
        this.connection = connection;
        this.options = options;
        this.handler = handler;
        this.deadLetterTopic = deadLetterTopic;
        this.onClose = onClose;
        this.group = options.group().map(portalGroup -> ConsumerGroups.of(portalGroup, options.topic()))
                .orElseGet(() -> "portal-broadcast-" + connection.context().connectionId() + "-" + BROADCAST_GROUPS.incrementAndGet());
        int defaultAttempts = connection.settings().maxReconsumeTimes().isPresent()
                ? connection.settings().maxReconsumeTimes().getAsInt() + 1 : SubscribeOptions.DEFAULT_MAX_ATTEMPTS;
        this.maxAttempts = options.maxAttempts() == SubscribeOptions.DEFAULT_MAX_ATTEMPTS ? defaultAttempts : options.maxAttempts();
        this.consumer = new DefaultMQPushConsumer(group, RocketMqConnection.rpcHook(connection.settings()), new AllocateMessageQueueAveragely());
    }

    static RocketMqSubscription open(RocketMqConnection connection, SubscribeOptions options, MessageHandler handler, String deadLetterTopic,
                                     Consumer<RocketMqSubscription> onClose) {
        connection.ensureOpen();
        RocketMqSubscription subscription = new RocketMqSubscription(connection, options, handler, deadLetterTopic, onClose);
        subscription.start();
        return subscription;
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
        consumer.setConsumeMessageBatchMaxSize(options.isBroadcast() ? 1 : GROUP_BATCH);
        consumer.setMaxReconsumeTimes(maxAttempts);
        consumer.setAwaitTerminationMillisWhenShutdown(connection.operationTimeout().toMillis());
        try {
            consumer.subscribe(topic, "*");
            // Broadcast subscribers use RocketMQ's concurrent listener; a group needs the orderly one's queue locks.
            if (options.isBroadcast()) {
                consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
                    handling.incrementAndGet();
                    try {
                        return consumeBroadcast(messages.get(0));
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
                        for (MessageExt message : messages) {
                            if (refusing || !settleInGroup(message, broker)) {
                                // Closing: the rest of the batch is left for the member that takes the queue next. This thread
                                // waits until close() has committed the offset after the last message settled here, so that
                                // RocketMQ neither offers the batch again nor keeps a timer for it after the shutdown.
                                handling.decrementAndGet();
                                counted = false;
                                awaitCommitted();
                                context.setSuspendCurrentQueueTimeMillis(10);
                                return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
                            }
                            settled.merge(context.getMessageQueue(), message.getQueueOffset() + 1, Math::max);
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
            awaitQueues();
        } catch (RuntimeException e) {
            consumer.shutdown();
            throw e;
        }
        LOG.debug("Subscribed to {} as {} ({} handler(s), {} attempt(s))", topic, describe(), options.concurrency(), maxAttempts);
    }

    private String describe() {
        return (options.isBroadcast() ? "a broadcast subscriber" : "group '" + group + "'") + (options.orderedByKey() ? " (ordered)" : "");
    }

    /**
     * Returns once this member holds the queues the group's current members give it: a broadcast
     * subscriber all of them, at their end, so nothing published after subscribe() returns is
     * missed; a group member its share, so the members do not start by taking each other's queues.
     */
    private void awaitQueues() {
        DefaultMQPushConsumerImpl impl = consumer.getDefaultMQPushConsumerImpl();
        MQClientInstance client = impl.getmQClientFactory();
        String topic = options.topic();
        long deadline = System.nanoTime() + connection.operationTimeout().toNanos();
        client.updateTopicRouteInfoFromNameServer(topic);
        while (true) {
            Set<MessageQueue> all = impl.getRebalanceImpl().getTopicSubscribeInfoTable().get(topic);
            Set<MessageQueue> held = impl.getRebalanceImpl().getProcessQueueTable().keySet().stream()
                    .filter(queue -> queue.getTopic().equals(topic)).collect(Collectors.toSet());
            Set<MessageQueue> expected = all == null || all.isEmpty() ? null : expected(client, all);
            if (expected != null && held.equals(expected)) {
                return;
            }
            if (System.nanoTime() > deadline && !options.isBroadcast()) {
                // The queues are locked: a member still finishing a long message keeps its queue a while. This one takes it later.
                LOG.warn("Subscribed to '{}' as {} holding {} of its {} queue(s) after {}; it takes the rest when their members let go",
                        topic, describe(), held.size(), expected == null ? "?" : expected.size(), connection.operationTimeout());
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new PortalTimeoutException("subscribing to '" + topic + "' as " + describe() + ": its queues were not assigned within "
                        + connection.operationTimeout() + " (holds " + held.size() + " of " + (all == null ? 0 : all.size()) + ")");
            }
            client.rebalanceImmediately();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while subscribing to '" + topic + "'", e);
            }
        }
    }

    /** The queues this member should hold, or null while the broker does not list it in its group yet. */
    private Set<MessageQueue> expected(MQClientInstance client, Set<MessageQueue> all) {
        if (options.isBroadcast()) {
            return all;
        }
        List<String> members = client.findConsumerIdList(options.topic(), group);
        if (members == null || !members.contains(client.getClientId())) {
            return null;
        }
        List<MessageQueue> queues = new ArrayList<>(all);
        queues.sort(Comparator.naturalOrder());
        List<String> sortedMembers = new ArrayList<>(members);
        sortedMembers.sort(Comparator.naturalOrder());
        return new HashSet<>(new AllocateMessageQueueAveragely().allocate(group, client.getClientId(), queues, sortedMembers));
    }

    private int retryDelayLevel() {
        int level = connection.settings().delayLevelAtLeast(options.retryBackoff());
        return level == 0 ? connection.settings().delayLevels().size() : level;
    }

    /**
     * Returns once the message is settled: handled, sent back for redelivery (unordered), or
     * dead-lettered. Retries in place happen here, not through RocketMQ's SUSPEND, which would
     * hand the whole batch out again, messages already handled included.
     *
     * @return true if settled; false if the subscription started closing while it was being retried
     */
    private boolean settleInGroup(MessageExt message, String brokerName) {
        // Sent back, the broker counts the attempts in the message it delivers again; retried in place, Portal counts.
        int attempt = message.getReconsumeTimes() + 1;
        while (true) {
            String failure = handle(message, attempt);
            if (failure == null || (attempt >= maxAttempts && deadLetter(message, attempt, failure))) {
                return true;
            }
            if (!options.orderedByKey() || attempt >= maxAttempts) {
                // Unordered, what RECONSUME_LATER does; past the attempts (the dead-letter publish failed), RocketMQ's own limit
                // applies and the broker moves it to %DLQ%<group> itself.
                try {
                    consumer.sendMessageBack(message, retryDelayLevel(), brokerName);
                    return true;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.debug("Sending message {} of '{}' back for redelivery failed; retrying it in place: {}", message.getMsgId(),
                            options.topic(), e.toString());
                }
            }
            pause(options.retryBackoff());
            if (refusing) {
                return false;
            }
            if (attempt < maxAttempts) {
                attempt++;
            }
        }
    }

    /** RocketMQ does not redeliver to a broadcasting consumer, so the attempts happen here. */
    private ConsumeConcurrentlyStatus consumeBroadcast(MessageExt message) {
        for (int attempt = 1; ; attempt++) {
            if (refusing) {
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
            String failure = handle(message, attempt);
            if (failure == null) {
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
            if (attempt >= maxAttempts) {
                while (!deadLetter(message, attempt, failure) && !refusing) {
                    pause(options.retryBackoff().plusMillis(100));
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            }
            pause(options.retryBackoff());
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs the handler; returns null if the message is settled, or why it failed. */
    private String handle(MessageExt message, int attempt) {
        SettlingDelivery delivery = SettlingDelivery.of(toPortal(message), message.getMsgId(), attempt);
        try {
            handler.handle(delivery);
            delivery.ack();
            return delivery.rejected() ? "nack" : null;
        } catch (Exception e) {
            if (!delivery.nack()) {
                return delivery.rejected() ? "nack" : null;
            }
            LOG.debug("Handler failed on attempt {} of {} for message {} of '{}': {}", attempt, maxAttempts, message.getMsgId(), options.topic(),
                    e.toString());
            return e.toString();
        } catch (Error e) {
            delivery.nack();
            throw e;
        }
    }

    static Message toPortal(MessageExt message) {
        Map<String, String> headers = new LinkedHashMap<>();
        message.getProperties().forEach((name, value) -> {
            if (name.equals(RocketMqPublisher.EMPTY_HEADERS_PROPERTY)) {
                for (String empty : value.split("\n")) {
                    headers.put(empty, "");
                }
            } else if (!MessageConst.STRING_HASH_SET.contains(name)) {
                headers.put(name, value);
            }
        });
        String key = message.getKeys();
        return new Message(message.getTopic(), key == null || key.isEmpty() ? null : key, message.getBody(), headers);
    }

    private boolean deadLetter(MessageExt message, int attempt, String reason) {
        try {
            connection.ensureTopic(deadLetterTopic, 1);
            Message original = toPortal(message);
            Map<String, String> headers = new LinkedHashMap<>(original.headers());
            headers.put(DeadLetters.REASON_HEADER, printable(reason));
            headers.put(DeadLetters.ATTEMPTS_HEADER, Integer.toString(attempt));
            headers.put(DeadLetters.ORIGINAL_TOPIC_HEADER, options.topic());
            headers.put(DeadLetters.ORIGINAL_ID_HEADER, message.getMsgId());
            var dead = RocketMqPublisher.toRocketMq(deadLetterTopic, new Message(deadLetterTopic, original.key(), message.getBody(), headers));
            SendStatus status = connection.producer().send(dead, connection.settings().sendTimeout().toMillis()).getSendStatus();
            if (status != SendStatus.SEND_OK) {
                LOG.warn("Dead-lettering message {} of '{}' to '{}' answered {}; it stays with RocketMQ", message.getMsgId(), options.topic(),
                        deadLetterTopic, status);
                return false;
            }
            LOG.debug("Dead-lettered message {} of '{}' to '{}' after {} attempt(s)", message.getMsgId(), options.topic(), deadLetterTopic, attempt);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.warn("Dead-lettering message {} of '{}' to '{}' failed; it stays with RocketMQ: {}", message.getMsgId(), options.topic(),
                    deadLetterTopic, e.toString());
            return false;
        }
    }

    private static String printable(String reason) {
        String flat = reason.replaceAll("\\p{Cntrl}", " ");
        return flat.length() <= MAX_REASON_LENGTH ? flat : flat.substring(0, MAX_REASON_LENGTH) + "…";
    }

    @Override
    public SubscribeOptions options() {
        return options;
    }

    /**
     * Stops pulling and handing out messages, waits for the handlers running, commits the offsets
     * after what this member settled synchronously (RocketMQ's own commit at shutdown is one-way
     * and comes after it unlocked the queues, so the next member could read an older offset and
     * hand a handled message out again), then shuts the consumer down, which unlocks its queues.
     */
    @Override
    public boolean close(Duration timeout) throws InterruptedException {
        if (!closing.compareAndSet(false, true)) {
            return drained;
        }
        try {
            consumer.suspend();
            refusing = true;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (handling.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            drained = handling.get() == 0;
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
            return drained;
        } finally {
            committed.countDown();
            onClose.accept(this);
        }
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

    private void commitOffsets(DefaultMQPushConsumerImpl impl) {
        OffsetStore store = impl.getOffsetStore();
        settled.forEach((queue, offset) -> {
            store.updateOffset(queue, offset, true);
            try {
                store.updateConsumeOffsetToBroker(queue, store.readOffset(queue, ReadOffsetType.READ_FROM_MEMORY), false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("Committing offset {} of {} for group '{}' failed; RocketMQ commits it once more at shutdown: {}", offset, queue, group,
                        e.toString());
            }
        });
    }

    @Override
    public void close() {
        try {
            close(connection.operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
