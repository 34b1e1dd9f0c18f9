package io.cloudportal.internal;

import io.cloudportal.OutcomeUnknownException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.coordination.Counter;
import io.cloudportal.spi.CounterCell;
import io.cloudportal.spi.Rules;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongFunction;

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
            return OptionalLong.of(sum);
        }).getAsLong();
    }

    @Override
    public boolean compareAndSet(long expected, long update) {
        portal.ensureOpen("compareAndSet()");
        // A value moved away and back to the expected one is compared again, within the bound.
        return update("compareAndSet(" + expected + ", " + update + ")",
                value -> value == expected ? OptionalLong.of(update) : OptionalLong.empty()).isPresent();
    }

    /**
     * Reads, computes the next value (empty: write nothing and stop), swaps at the version read, and
     * computes again on what a refused swap says is there now, until the operation timeout.
     */
    private OptionalLong update(String call, LongFunction<OptionalLong> next) {
        return DriverCalls.guard(portal, call, () -> {
            long deadline = System.nanoTime() + portal.context().operationTimeout().toNanos();
            CounterCell.Reading read = cell.read();
            while (true) {
                OptionalLong value = next.apply(read.value());
                if (value.isEmpty()) {
                    return value;
                }
                Optional<CounterCell.Reading> moved = swap(call, read, value.getAsLong());
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
