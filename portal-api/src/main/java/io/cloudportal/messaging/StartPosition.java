package io.cloudportal.messaging;

import io.cloudportal.spi.Rules;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a subscription starts reading when its group has no position yet (or where
 * {@link Subscriber#resetGroup(String, String, StartPosition)} moves a group): the earliest
 * message the server keeps, the latest (only what is published from now on), or the first message
 * stored at or after a time. Needs {@link io.cloudportal.Guarantee#REPLAY}. A time is matched at the
 * backend's granularity: Kafka record timestamps (ms), RocketMQ store times (ms when moving a group;
 * whole seconds when a new group starts, the resolution of RocketMQ's {@code consumeTimestamp}).
 */
public final class StartPosition {

    private static final StartPosition EARLIEST = new StartPosition(Kind.EARLIEST, null);
    private static final StartPosition LATEST = new StartPosition(Kind.LATEST, null);

    /** The three kinds of position. */
    public enum Kind {
        /** The earliest message the server still keeps. */
        EARLIEST,
        /** After the last message: only what is published from now on. */
        LATEST,
        /** The first message stored at or after a time. */
        TIME
    }

    private final Kind kind;
    private final Instant time;

    private StartPosition(Kind kind, Instant time) {
        this.kind = kind;
        this.time = time;
    }

    /**
     * The earliest message the server keeps.
     *
     * @return the position
     */
    public static StartPosition earliest() {
        return EARLIEST;
    }

    /**
     * Only messages published from now on.
     *
     * @return the position
     */
    public static StartPosition latest() {
        return LATEST;
    }

    /**
     * The first message stored at or after a time.
     *
     * @param time the time, not null
     * @return the position
     * @throws io.cloudportal.InvalidArgumentException if the time is null
     */
    public static StartPosition at(Instant time) {
        return new StartPosition(Kind.TIME, Rules.notNull("time", time));
    }

    /**
     * Which kind of position this is.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The time of a {@link Kind#TIME} position.
     *
     * @return the time, or empty for the other kinds
     */
    public Optional<Instant> time() {
        return Optional.ofNullable(time);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StartPosition other && kind == other.kind && Objects.equals(time, other.time);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, time);
    }

    @Override
    public String toString() {
        return kind == Kind.TIME ? "at " + time : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
