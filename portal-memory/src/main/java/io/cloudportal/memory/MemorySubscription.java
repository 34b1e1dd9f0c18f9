package io.cloudportal.memory;

import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A member of a group (or a broadcast subscriber) with its own handler threads. */
final class MemorySubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(MemorySubscription.class);

    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final ExecutorService handlers;
    private final MemoryTopics.Topic topic;
    private final MemoryTopics.Group group;
    private final Runnable onClosed;
    /** Guarded by the topic monitor. */
    private int running;
    private boolean accepting = true;

    MemorySubscription(MemoryConnection connection, SubscribeOptions options, MessageHandler handler, Runnable onClosed) {
        this.options = options;
        this.handler = handler;
        this.onClosed = onClosed;
        this.handlers = Executors.newFixedThreadPool(options.concurrency(), connection.context().threadFactory("consumer-" + options.topic()));
        MemoryTopics topics = connection.backend().topics;
        this.topic = topics.topic(options.topic());
        String groupName = options.group().orElseGet(topics::broadcastGroupName);
        this.group = topic.join(groupName, options.isBroadcast(), this);
    }

    @Override
    public SubscribeOptions options() {
        return options;
    }

    /** Under the topic monitor. */
    boolean hasFreeHandler() {
        return accepting && running < options.concurrency();
    }

    /** Under the topic monitor. */
    void dispatch(MemoryTopics.Group from, MemoryTopics.Pending pending) {
        running++;
        handlers.execute(() -> handle(from, pending));
    }

    private void handle(MemoryTopics.Group from, MemoryTopics.Pending pending) {
        MemoryDelivery delivery = new MemoryDelivery(from, pending, options);
        try {
            handler.handle(delivery);
            delivery.ack();
        } catch (Exception | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.debug("Handler of {} rejected {} (attempt {})", options.topic(), pending.stored().id(), pending.attempt(), e);
            delivery.reject(e.getClass().getName() + ": " + e.getMessage());
        } finally {
            synchronized (topic) {
                running--;
                topic.notifyAll();
                // The settle above pumped while this handler still counted as running.
                from.pump();
            }
        }
    }

    @Override
    public boolean close(Duration timeout) throws InterruptedException {
        boolean drained;
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (topic) {
            accepting = false;
            while (running > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(topic, left);
            }
            drained = running == 0;
        }
        group.leave(this);
        handlers.shutdown();
        if (!handlers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            LOG.warn("Handlers of {} still running after {}; interrupting them", options.topic(), timeout);
            handlers.shutdownNow();
            drained = false;
        }
        onClosed.run();
        return drained;
    }

    @Override
    public void close() {
        try {
            close(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A delivered message; settled exactly once. */
    private static final class MemoryDelivery implements Delivery {
        private final MemoryTopics.Group group;
        private final MemoryTopics.Pending pending;
        private final SubscribeOptions options;
        private final AtomicBoolean settled = new AtomicBoolean();

        MemoryDelivery(MemoryTopics.Group group, MemoryTopics.Pending pending, SubscribeOptions options) {
            this.group = group;
            this.pending = pending;
            this.options = options;
        }

        @Override
        public Message message() {
            return pending.stored().message();
        }

        @Override
        public int attempt() {
            return pending.attempt();
        }

        @Override
        public String messageId() {
            return pending.stored().id();
        }

        @Override
        public boolean ack() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            group.settled(pending);
            return true;
        }

        @Override
        public boolean nack() {
            return reject("rejected by the handler (nack)");
        }

        boolean reject(String reason) {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            group.rejected(pending, options, reason);
            return true;
        }
    }
}
