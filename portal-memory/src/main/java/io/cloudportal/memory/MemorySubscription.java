package io.cloudportal.memory;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A member of a group (or a broadcast subscriber): the group hands it a message only while it
 * has a free handler, and a message it releases goes back to the group for the next member.
 */
final class MemorySubscription implements DriverSubscription {

    private final SubscribeOptions options;
    private final DeliverySink sink;
    private final MemoryTopics topics;
    private final MemoryTopics.Topic topic;
    private final MemoryTopics.Group group;
    /** Guarded by the topic monitor. */
    private int running;
    private boolean accepting = true;

    MemorySubscription(MemoryConnection connection, SubscribeOptions options, DeliverySink sink) {
        this.options = options;
        this.sink = sink;
        this.topics = connection.backend().topics;
        this.topic = topics.topic(options.topic());
        String groupName = options.group().orElseGet(topics::broadcastGroupName);
        this.group = topic.join(groupName, options.isBroadcast(), options.startPosition(), this);
    }

    /** Under the topic monitor. A batch subscription's handler takes a batch at a time, so it is free for that many. */
    boolean hasFreeHandler() {
        return accepting && running < options.concurrency() * sink.batchSize();
    }

    /** Under the topic monitor. */
    void dispatch(MemoryTopics.Group from, MemoryTopics.Pending pending) {
        running++;
        sink.deliver(new MemoryReceived(from, pending));
    }

    @Override
    public void stopReceiving() {
        synchronized (topic) {
            accepting = false;
        }
    }

    @Override
    public CompletionStage<?> deadLetter(Received original, String deadLetterTopic, Message deadLetter) {
        return CompletableFuture.completedFuture(topics.topic(deadLetterTopic).append(deadLetter));
    }

    /** What this member holds, and (on the group's oldest member) what no member holds yet. */
    @Override
    public OptionalLong lag() {
        synchronized (topic) {
            return OptionalLong.of(running + group.unassigned(this));
        }
    }

    @Override
    public void close(Duration timeout) {
        group.leave(this);
    }

    /** A message handed to the engine; settled exactly once. */
    private final class MemoryReceived implements Received {
        private final MemoryTopics.Group from;
        private final MemoryTopics.Pending pending;

        MemoryReceived(MemoryTopics.Group from, MemoryTopics.Pending pending) {
            this.from = from;
            this.pending = pending;
        }

        @Override
        public Message message() {
            return pending.stored().message();
        }

        @Override
        public String messageId() {
            return pending.stored().id();
        }

        @Override
        public int attempt() {
            return pending.attempt();
        }

        @Override
        public void acknowledge() {
            synchronized (topic) {
                running--;
                from.settled(pending);
            }
        }

        @Override
        public void release() {
            synchronized (topic) {
                running--;
                from.released(pending);
            }
        }
    }
}
