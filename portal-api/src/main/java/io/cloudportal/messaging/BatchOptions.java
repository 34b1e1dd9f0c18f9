package io.cloudportal.messaging;

import io.cloudportal.spi.Rules;
import java.time.Duration;

/**
 * How a batch subscription cuts its batches: a handler call gets up to {@code maxMessages}
 * messages, and waits at most {@code maxWait} after the first for more to come.
 *
 * @param maxMessages the most messages per call, 1 to {@value #MAX_MESSAGES}
 * @param maxWait how long a call waits after its first message for the batch to fill, zero to 1 minute
 */
public record BatchOptions(int maxMessages, Duration maxWait) {

    /** The largest batch. */
    public static final int MAX_MESSAGES = 10_000;

    /** 100 messages or 100 ms, whichever comes first. */
    public static final BatchOptions DEFAULT = new BatchOptions(100, Duration.ofMillis(100));

    /**
     * Validates the options.
     *
     * @param maxMessages the most messages per call
     * @param maxWait the longest wait for a batch to fill
     * @throws io.cloudportal.InvalidArgumentException if a value is out of its range
     */
    public BatchOptions {
        Rules.range("maxMessages", maxMessages, 1, MAX_MESSAGES);
        Rules.duration("maxWait", maxWait, true);
        if (maxWait.compareTo(Duration.ofMinutes(1)) > 0) {
            throw Rules.invalid("maxWait", maxWait.toString(), "is longer than 1 minute: a batch must not hold messages that long");
        }
    }

    /**
     * Batches of up to {@code maxMessages}, waiting at most {@code maxWait} to fill.
     *
     * @param maxMessages the most messages per call
     * @param maxWait the longest wait for a batch to fill
     * @return the options
     */
    public static BatchOptions of(int maxMessages, Duration maxWait) {
        return new BatchOptions(maxMessages, maxWait);
    }
}
