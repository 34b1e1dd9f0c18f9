package io.cloudportal.messaging;

import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What to consume and how. Build with {@link #group(String, String)} (competing consumers: the
 * members of one group share the messages) or {@link #broadcast(String)} (every subscriber gets
 * every message), then adjust with the {@code with…} methods. Values are validated when the
 * subscription opens.
 *
 * @param topic the topic to consume
 * @param group the consumer group, or empty for broadcast
 * @param maxAttempts deliveries of one message before it is dead-lettered (at least 1)
 * @param deadLetterTopic where exhausted messages go; empty means the driver's default
 *                        ({@code <topic>.dlt} unless the backend fixes its own)
 * @param concurrency how many handlers may run at once in this subscription (at least 1)
 * @param orderedByKey keep per-key order even with concurrency above 1 (needs
 *                     {@link io.cloudportal.Guarantee#ORDER_PER_KEY})
 * @param retryBackoff the pause before a rejected message is delivered again (the policy's first pause)
 * @param retryPolicy how the pauses grow and which failures are not retried
 * @param startPosition where a group with no position yet starts (needs {@link io.cloudportal.Guarantee#REPLAY}); empty for
 *                      the driver's default: a new group reads what the server keeps, a broadcast subscriber what comes next
 */
public record SubscribeOptions(String topic, Optional<String> group, int maxAttempts, Optional<String> deadLetterTopic,
                               int concurrency, boolean orderedByKey, Duration retryBackoff, RetryPolicy retryPolicy,
                               Optional<StartPosition> startPosition) {

    /** Default number of deliveries before a message is dead-lettered. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;

    /** Default pause before a rejected message is delivered again. */
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);

    private static final RetryPolicy DEFAULT_RETRY_POLICY = RetryPolicy.fixed(DEFAULT_RETRY_BACKOFF);

    /**
     * Creates options; prefer the factory methods.
     *
     * @param topic the topic to consume
     * @param group the consumer group, or empty for broadcast
     * @param maxAttempts deliveries before dead-lettering
     * @param deadLetterTopic the dead-letter topic, or empty for the default
     * @param concurrency handlers that may run at once
     * @param orderedByKey keep per-key order with concurrency
     * @param retryBackoff pause before redelivery
     * @param retryPolicy the retry policy, whose first pause is {@code retryBackoff}
     * @param startPosition where a new group starts, or empty for the driver's default
     */
    public SubscribeOptions {
        Objects.requireNonNull(startPosition, "startPosition");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(deadLetterTopic, "deadLetterTopic");
        Objects.requireNonNull(retryBackoff, "retryBackoff");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
    }

    /**
     * Creates options that start where the driver starts by default; prefer the factory methods.
     *
     * @param topic the topic to consume
     * @param group the consumer group, or empty for broadcast
     * @param maxAttempts deliveries before dead-lettering
     * @param deadLetterTopic the dead-letter topic, or empty for the default
     * @param concurrency handlers that may run at once
     * @param orderedByKey keep per-key order with concurrency
     * @param retryBackoff pause before redelivery
     * @param retryPolicy the retry policy, whose first pause is {@code retryBackoff}
     */
    public SubscribeOptions(String topic, Optional<String> group, int maxAttempts, Optional<String> deadLetterTopic,
                            int concurrency, boolean orderedByKey, Duration retryBackoff, RetryPolicy retryPolicy) {
        this(topic, group, maxAttempts, deadLetterTopic, concurrency, orderedByKey, retryBackoff, retryPolicy, Optional.empty());
    }

    /**
     * Creates options with a fixed retry pause; prefer the factory methods.
     *
     * @param topic the topic to consume
     * @param group the consumer group, or empty for broadcast
     * @param maxAttempts deliveries before dead-lettering
     * @param deadLetterTopic the dead-letter topic, or empty for the default
     * @param concurrency handlers that may run at once
     * @param orderedByKey keep per-key order with concurrency
     * @param retryBackoff pause before redelivery
     */
    public SubscribeOptions(String topic, Optional<String> group, int maxAttempts, Optional<String> deadLetterTopic,
                            int concurrency, boolean orderedByKey, Duration retryBackoff) {
        this(topic, group, maxAttempts, deadLetterTopic, concurrency, orderedByKey, retryBackoff, DEFAULT_RETRY_POLICY);
    }

    /**
     * Competing consumers: the subscribers of one group share the topic's messages.
     *
     * @param topic the topic
     * @param group the group name; null is refused (use {@link #broadcast(String)} for no group)
     * @return the options
     * @throws io.cloudportal.InvalidArgumentException if the group is null
     */
    public static SubscribeOptions group(String topic, String group) {
        // A null group once meant broadcast: a subscriber meant to share a group's work then saw every message.
        Rules.notNull("group", group);
        return new SubscribeOptions(topic, Optional.of(group), DEFAULT_MAX_ATTEMPTS, Optional.empty(), 1, false,
                DEFAULT_RETRY_BACKOFF, DEFAULT_RETRY_POLICY);
    }

    /**
     * Broadcast: this subscriber gets every message published after it subscribed.
     *
     * @param topic the topic
     * @return the options
     */
    public static SubscribeOptions broadcast(String topic) {
        return new SubscribeOptions(topic, Optional.empty(), DEFAULT_MAX_ATTEMPTS, Optional.empty(), 1, false,
                DEFAULT_RETRY_BACKOFF, DEFAULT_RETRY_POLICY);
    }

    /**
     * Tells whether these are broadcast options.
     *
     * @return true if there is no group
     */
    public boolean isBroadcast() {
        return group.isEmpty();
    }

    /**
     * Sets the deliveries of one message before it is dead-lettered.
     *
     * @param attempts at least 1
     * @return a copy with the change
     */
    public SubscribeOptions withMaxAttempts(int attempts) {
        return new SubscribeOptions(topic, group, attempts, deadLetterTopic, concurrency, orderedByKey, retryBackoff, retryPolicy, startPosition);
    }

    /**
     * Sets the dead-letter topic.
     *
     * @param dlt the topic exhausted messages go to
     * @return a copy with the change
     */
    public SubscribeOptions withDeadLetterTopic(String dlt) {
        return new SubscribeOptions(topic, group, maxAttempts, Optional.ofNullable(dlt), concurrency, orderedByKey, retryBackoff, retryPolicy, startPosition);
    }

    /**
     * Sets how many handlers may run at once.
     *
     * @param handlers at least 1
     * @return a copy with the change
     */
    public SubscribeOptions withConcurrency(int handlers) {
        return new SubscribeOptions(topic, group, maxAttempts, deadLetterTopic, handlers, orderedByKey, retryBackoff, retryPolicy, startPosition);
    }

    /**
     * Keeps per-key order even when handlers run concurrently.
     *
     * @param ordered true to keep per-key order
     * @return a copy with the change
     */
    public SubscribeOptions withOrderedByKey(boolean ordered) {
        return new SubscribeOptions(topic, group, maxAttempts, deadLetterTopic, concurrency, ordered, retryBackoff, retryPolicy, startPosition);
    }

    /**
     * Sets the pause before a rejected message is delivered again.
     *
     * @param backoff zero or positive
     * @return a copy with the change
     */
    public SubscribeOptions withRetryBackoff(Duration backoff) {
        // Out of range, the policy keeps its pauses and the subscription's rules refuse retryBackoff, naming it, at subscribe.
        boolean usable = backoff != null && !backoff.isNegative() && backoff.compareTo(RetryPolicy.MAX_BACKOFF) <= 0;
        RetryPolicy fixed = usable ? RetryPolicy.fixed(backoff).withoutRetrying(notRetried(retryPolicy)) : retryPolicy;
        return new SubscribeOptions(topic, group, maxAttempts, deadLetterTopic, concurrency, orderedByKey, backoff, fixed, startPosition);
    }

    /**
     * Sets where the subscription starts when its group has no position yet: the earliest message
     * kept, the latest, or a time. A group that already consumed carries on from its position
     * (move it with {@link Subscriber#resetGroup(String, String, StartPosition)}); a broadcast
     * subscriber, which has no position, always starts here.
     *
     * @param position the position
     * @return a copy with the change
     * @throws io.cloudportal.InvalidArgumentException if the position is null
     */
    public SubscribeOptions withStartPosition(StartPosition position) {
        Rules.notNull("startPosition", position);
        return new SubscribeOptions(topic, group, maxAttempts, deadLetterTopic, concurrency, orderedByKey, retryBackoff, retryPolicy,
                Optional.of(position));
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Throwable>[] notRetried(RetryPolicy policy) {
        return policy.notRetried().toArray(Class[]::new);
    }

    /**
     * Sets how failed messages are retried: the pauses (replacing {@link #withRetryBackoff(Duration)})
     * and the failures not retried.
     *
     * @param policy the policy
     * @return a copy with the change
     * @throws io.cloudportal.InvalidArgumentException if the policy is null
     */
    public SubscribeOptions withRetryPolicy(RetryPolicy policy) {
        Rules.notNull("retryPolicy", policy);
        return new SubscribeOptions(topic, group, maxAttempts, deadLetterTopic, concurrency, orderedByKey, policy.initialBackoff(), policy, startPosition);
    }
}
