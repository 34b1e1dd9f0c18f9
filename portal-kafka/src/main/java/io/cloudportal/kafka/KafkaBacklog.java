package io.cloudportal.kafka;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one subscription holds for the handlers, in records and bytes, against its bounds
 * ({@code maxInFlight}, {@code maxInFlightBytes}): above either, the poll thread pauses fetching;
 * once both are down to half, the handler that settled last wakes it to resume. Resuming only at
 * half, not just below the bound, keeps the pause-resume cycles (each a wakeup) rare.
 */
final class KafkaBacklog {

    private final int maxRecords;
    private final long maxBytes;
    private final Runnable wakeUpPoller;
    private final AtomicInteger records = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    /** Written by the poll thread; read by handler threads to wake it when the backlog has drained. */
    private volatile boolean paused;

    KafkaBacklog(int maxRecords, long maxBytes, Runnable wakeUpPoller) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.wakeUpPoller = wakeUpPoller;
    }

    void added(int count, long size) {
        records.addAndGet(count);
        bytes.addAndGet(size);
    }

    /** A record left the backlog (settled or released); called on a handler thread. */
    void settled(int size) {
        records.decrementAndGet();
        bytes.addAndGet(-size);
        if (paused && drainedToHalf()) {
            // The poll thread may be waiting out its poll timeout; resuming now keeps the handlers fed.
            wakeUpPoller.run();
        }
    }

    boolean full() {
        return records.get() >= maxRecords || bytes.get() >= maxBytes;
    }

    boolean drainedToHalf() {
        return records.get() <= maxRecords / 2 && bytes.get() <= maxBytes / 2;
    }

    boolean paused() {
        return paused;
    }

    void paused(boolean now) {
        paused = now;
    }

    int records() {
        return records.get();
    }
}
