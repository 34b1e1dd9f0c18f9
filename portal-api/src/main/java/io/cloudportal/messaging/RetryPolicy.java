package io.cloudportal.messaging;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How a subscription retries a message whose handler failed: the pause before each new attempt
 * and the failures not worth retrying. The number of attempts stays in
 * {@link SubscribeOptions#maxAttempts()}. Immutable; the same policy behaves alike on every driver.
 *
 * <pre>{@code
 * SubscribeOptions.group("orders", "billing")
 *         .withRetryPolicy(RetryPolicy.exponential(Duration.ofMillis(200), Duration.ofSeconds(30))
 *                 .withJitter(0.2)
 *                 .withoutRetrying(IllegalArgumentException.class));
 * }</pre>
 */
public final class RetryPolicy {

    /** The largest backoff a policy may name. */
    public static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private final double jitter;
    private final List<Class<? extends Throwable>> notRetried;

    private RetryPolicy(Duration initial, Duration max, double multiplier, double jitter, List<Class<? extends Throwable>> notRetried) {
        this.initial = initial;
        this.max = max;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.notRetried = notRetried;
    }

    /**
     * The same pause before every new attempt.
     *
     * @param backoff zero or positive, at most {@link #MAX_BACKOFF}
     * @return the policy
     * @throws InvalidArgumentException if the backoff is null, negative or too long
     */
    public static RetryPolicy fixed(Duration backoff) {
        check("backoff", backoff);
        return new RetryPolicy(backoff, backoff, 1.0, 0.0, List.of());
    }

    /**
     * A pause that doubles with each attempt, from {@code initial} up to {@code max}.
     *
     * @param initial the pause before the second attempt
     * @param max the longest pause, at least {@code initial}
     * @return the policy
     * @throws InvalidArgumentException if a duration is null, negative, too long, or max is below initial
     */
    public static RetryPolicy exponential(Duration initial, Duration max) {
        check("initial backoff", initial);
        check("max backoff", max);
        if (max.compareTo(initial) < 0) {
            throw new InvalidArgumentException("max backoff " + max + " is below the initial backoff " + initial);
        }
        return new RetryPolicy(initial, max, 2.0, 0.0, List.of());
    }

    /**
     * Sets the factor each pause grows by.
     *
     * @param factor from 1 (a fixed pause) to 100
     * @return a copy with the change
     * @throws InvalidArgumentException if out of range
     */
    public RetryPolicy withMultiplier(double factor) {
        if (!(factor >= 1.0 && factor <= 100.0)) {
            throw new InvalidArgumentException("multiplier " + factor + " is outside 1..100");
        }
        return new RetryPolicy(initial, max, factor, jitter, notRetried);
    }

    /**
     * Lengthens each pause by a random part of it, up to this fraction, so that consumers that
     * failed together do not retry together. A pause is never shortened.
     *
     * @param fraction from 0 (none) to 1 (up to twice as long)
     * @return a copy with the change
     * @throws InvalidArgumentException if out of range
     */
    public RetryPolicy withJitter(double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new InvalidArgumentException("jitter " + fraction + " is outside 0..1");
        }
        return new RetryPolicy(initial, max, multiplier, fraction, notRetried);
    }

    /**
     * Failures that retrying cannot cure: a handler that throws one of these types (or a
     * subtype) is not called again for that message, which is dead-lettered at once.
     *
     * @param failures the exception types
     * @return a copy that also skips retries for these
     * @throws InvalidArgumentException if a type is null
     */
    @SafeVarargs
    public final RetryPolicy withoutRetrying(Class<? extends Throwable>... failures) {
        Rules.notNull("failures", failures);
        List<Class<? extends Throwable>> all = new java.util.ArrayList<>(notRetried);
        for (Class<? extends Throwable> failure : failures) {
            Rules.notNull("failure type", failure);
            all.add(failure);
        }
        return new RetryPolicy(initial, max, multiplier, jitter, List.copyOf(all));
    }

    /**
     * The pause before the attempt after {@code attempt}, jitter left out.
     *
     * @param attempt the attempt that failed, from 1
     * @return the pause
     */
    public Duration backoffAfter(int attempt) {
        if (multiplier == 1.0 || attempt <= 1) {
            return initial;
        }
        double nanos = initial.toNanos() * Math.pow(multiplier, attempt - 1);
        return nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
    }

    /**
     * The pause to take after {@code attempt} failed: {@link #backoffAfter(int)} plus its jitter.
     *
     * @param attempt the attempt that failed, from 1
     * @return the pause, never shorter than {@link #backoffAfter(int)}
     */
    public Duration pauseAfter(int attempt) {
        Duration base = backoffAfter(attempt);
        if (jitter == 0.0 || base.isZero()) {
            return base;
        }
        return base.plusNanos((long) (base.toNanos() * jitter * ThreadLocalRandom.current().nextDouble()));
    }

    /**
     * Whether a handler that failed this way is called again.
     *
     * @param failure what the handler threw
     * @return false if its type is one of {@link #withoutRetrying(Class[])}
     */
    public boolean retries(Throwable failure) {
        for (Class<? extends Throwable> type : notRetried) {
            if (type.isInstance(failure)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The first pause.
     *
     * @return the pause before the second attempt
     */
    public Duration initialBackoff() {
        return initial;
    }

    /**
     * The longest pause.
     *
     * @return the cap
     */
    public Duration maxBackoff() {
        return max;
    }

    /**
     * The growth factor.
     *
     * @return 1 for a fixed pause
     */
    public double multiplier() {
        return multiplier;
    }

    /**
     * The jitter fraction.
     *
     * @return from 0 to 1
     */
    public double jitter() {
        return jitter;
    }

    /**
     * The failure types that are not retried.
     *
     * @return the types, possibly none
     */
    public List<Class<? extends Throwable>> notRetried() {
        return notRetried;
    }

    private static void check(String what, Duration backoff) {
        Rules.duration(what, backoff, true);
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            throw new InvalidArgumentException(what + " " + backoff + " is longer than " + MAX_BACKOFF);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetryPolicy that && initial.equals(that.initial) && max.equals(that.max) && multiplier == that.multiplier
                && jitter == that.jitter && notRetried.equals(that.notRetried);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, max, multiplier, jitter, notRetried);
    }

    @Override
    public String toString() {
        return "RetryPolicy[" + initial + (multiplier == 1.0 ? "" : " x" + multiplier + " up to " + max)
                + (jitter == 0.0 ? "" : ", jitter " + jitter)
                + (notRetried.isEmpty() ? "" : ", not retried: " + notRetried.stream().map(Class::getSimpleName).toList()) + "]";
    }
}
