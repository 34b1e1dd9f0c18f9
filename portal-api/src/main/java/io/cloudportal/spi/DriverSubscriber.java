package io.cloudportal.spi;

import io.cloudportal.messaging.SubscribeOptions;
import java.util.OptionalInt;

/**
 * The consuming half of a messaging driver. The portable layer validates the options, checks
 * the guarantees they need, tracks and closes subscriptions, and runs the delivery engine; the
 * driver opens what its backend needs and hands received messages over.
 */
public interface DriverSubscriber {

    /**
     * Starts consuming and returns once messages flow (a group member was taken in, a broadcast
     * subscriber reads from the end).
     *
     * @param options the validated options
     * @param deadLetterTopic where exhausted messages go, or null if the driver does not dead-letter
     * @param sink where received messages go
     * @return the driver's side of the subscription
     */
    DriverSubscription subscribe(SubscribeOptions options, String deadLetterTopic, DeliverySink sink);

    /**
     * The dead-letter topic for these options; the default is the one named in them, else
     * {@code <topic>}{@value Limits#DEAD_LETTER_SUFFIX}.
     *
     * @param options validated options
     * @return the topic
     */
    default String deadLetterTopic(SubscribeOptions options) {
        return options.deadLetterTopic().orElse(options.topic() + Limits.DEAD_LETTER_SUFFIX);
    }

    /**
     * Moves a group's position on a topic; only for drivers that declare
     * {@link io.cloudportal.Guarantee#REPLAY}. The arguments are validated.
     *
     * @param topic the topic
     * @param group the group
     * @param position where the group resumes
     * @param timeout how long the backend may take
     */
    default void resetGroup(String topic, String group, io.cloudportal.messaging.StartPosition position, java.time.Duration timeout) {
        throw new UnsupportedOperationException("resetGroup");
    }

    /**
     * The attempts a subscription makes when its options keep the default, where the driver's
     * configuration names another (RocketMQ's {@code maxReconsumeTimes}).
     *
     * @return the attempts, or empty for {@link io.cloudportal.messaging.SubscribeOptions#DEFAULT_MAX_ATTEMPTS}
     */
    default OptionalInt defaultMaxAttempts() {
        return OptionalInt.empty();
    }
}
