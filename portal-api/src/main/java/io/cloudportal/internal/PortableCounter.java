package io.cloudportal.internal;

import io.cloudportal.OutcomeUnknownException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.coordination.Counter;
import io.cloudportal.spi.CounterCell;
import io.cloudportal.spi.Rules;
import java.util.Optional;
import java.util.function.LongUnaryOperator;

/**
 * The counter's read-modify-write loop, once for every driver: read the cell, compute, swap at the
 * version read, and start again when another client moved it first. A swap whose answer was lost
 * is reported, never retried.
 */
final class PortableCounter implements Counter {

    private final DefaultPortal portal;
    private final String name;
    private final CounterCell cell;

    PortableCounter(DefaultPortal portal, String name, CounterCell cell) {
        this.portal = portal;
        this.name = name;
        this.cell = cell;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long get() {
        portal.ensureOpen("get()");
        return DriverCalls.guard(portal, "get()", () -> cell.read().value());
    }

    @Override
    public long incrementAndGet() {
        return addAndGet(1);
    }

    @Override
    public long addAndGet(long delta) {
        portal.ensureOpen("addAndGet()");
        return update("addAndGet(" + delta + ")", value -> {
            long sum = value + delta;
            if (((value ^ sum) & (delta ^ sum)) < 0) {
                throw Rules.invalid("delta", Long.toString(delta), "must keep counter '" + name + "' (now " + value
                        + ") within the range of a long");
            }
            return sum;
        });
    }

    @Override
    public boolean compareAndSet(long expected, long update) {
        portal.ensureOpen("compareAndSet()");
        String call = "compareAndSet(" + expected + ", " + update + ")";
        return DriverCalls.guard(portal, call, () -> {
            long deadline = System.nanoTime() + portal.context().operationTimeout().toNanos();
            CounterCell.Reading read = cell.read();
            while (true) {
                if (read.value() != expected) {
                    return false;
                }
                Optional<CounterCell.Reading> moved = swap(call, read, update);
                if (moved.isEmpty()) {
                    return true;
                }
                // Moved since the read, possibly back to the expected value: compare again, within the bound.
                ensureTime(call, deadline);
                read = now(moved.get());
            }
        });
    }

    private long update(String call, LongUnaryOperator next) {
        return DriverCalls.guard(portal, call, () -> {
            long deadline = System.nanoTime() + portal.context().operationTimeout().toNanos();
            CounterCell.Reading read = cell.read();
            while (true) {
                long value = next.applyAsLong(read.value());
                Optional<CounterCell.Reading> moved = swap(call, read, value);
                if (moved.isEmpty()) {
                    return value;
                }
                ensureTime(call, deadline);
                read = now(moved.get());
            }
        });
    }

    private Optional<CounterCell.Reading> swap(String call, CounterCell.Reading read, long value) {
        try {
            return cell.swap(read.version(), value);
        } catch (OutcomeUnknownException unknown) {
            throw unknown;
        } catch (UnavailableException lost) {
            throw new OutcomeUnknownException(call + " on counter '" + name + "' may or may not have been applied: the answer was lost ("
                    + lost.getMessage() + "); it is not retried, read the counter to learn the outcome", lost);
        }
    }

    /** A refused swap's answer, read where the driver could not tell it (a failed read here is no unknown outcome). */
    private CounterCell.Reading now(CounterCell.Reading moved) {
        return moved == CounterCell.MOVED ? cell.read() : moved;
    }

    private void ensureTime(String call, long deadline) {
        if (System.nanoTime() - deadline > 0) {
            throw new PortalTimeoutException(call + " on counter '" + name + "' lost the race to other writers until the operation timeout ("
                    + portal.context().operationTimeout() + "); nothing of it was applied");
        }
    }

    @Override
    public String toString() {
        return "Counter[" + name + "]";
    }
}
