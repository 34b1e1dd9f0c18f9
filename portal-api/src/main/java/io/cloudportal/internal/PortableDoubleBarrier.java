package io.cloudportal.internal;

import io.cloudportal.BarrierBrokenException;
import io.cloudportal.coordination.DoubleBarrier;
import io.cloudportal.spi.DoubleBarrierCell;
import io.cloudportal.spi.DoubleBarrierCell.View;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The double-barrier protocol, once for every driver, over a cell of session-bound member entries
 * and a ready marker (Curator's and etcd's recipes keep the same two things):
 * <ul>
 * <li>a member passes {@code enter} when it sees as many entries as members (it then writes the
 *     marker) or a marker newer than its own entry; an older marker is a round's nobody cleared,
 *     so a late round never passes on it;</li>
 * <li>an entry seen during {@code enter} that disappears before the round filled is a member that
 *     left (its session ended or it gave up): the round can no longer fill, so every waiter is told
 *     instead of waiting for its timeout. The marker cannot disappear while an entry of its round
 *     exists, so a marker seen after a missing entry means the round filled and that member has
 *     already passed on to {@code leave};</li>
 * <li>{@code leave} withdraws the entry at once and waits for the entries of its own round only, so
 *     a quick member's entry for the next round does not hold the slow ones of this round.</li>
 * </ul>
 */
final class PortableDoubleBarrier implements DoubleBarrier {

    private static final Logger LOG = LoggerFactory.getLogger(PortableDoubleBarrier.class);

    private enum Phase { OUT, ENTERING, IN, LEAVING }

    private final DefaultPortal portal;
    private final String name;
    private final int members;
    private final DoubleBarrierCell cell;
    private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.OUT);
    /** Entries whose withdrawal failed (the server unreachable): withdrawn before the next entry, so none counts twice. */
    private final Set<String> leftBehind = new HashSet<>();
    /** The entry of the round this member is in, and the entries and marker it passed with. */
    private String member;
    private Set<String> round = Set.of();
    private long roundReady;

    PortableDoubleBarrier(DefaultPortal portal, String name, int members, DoubleBarrierCell cell) {
        this.portal = portal;
        this.name = name;
        this.members = members;
        this.cell = cell;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int members() {
        return members;
    }

    @Override
    public int entered() {
        portal.ensureOpen("entered()");
        return DriverCalls.guard(portal, "entered()", cell::read).members().size();
    }

    @Override
    public boolean enter(Duration timeout) throws InterruptedException {
        portal.ensureOpen("enter()");
        Rules.duration("timeout", timeout, true);
        if (!phase.compareAndSet(Phase.OUT, Phase.ENTERING)) {
            throw new IllegalStateException(this + ": enter() while this member is " + describe(phase.get()) + "; call leave() first");
        }
        boolean in = false;
        try {
            in = awaitEveryone(System.nanoTime() + timeout.toNanos());
            return in;
        } finally {
            phase.set(in ? Phase.IN : Phase.OUT);
        }
    }

    private boolean awaitEveryone(long deadline) throws InterruptedException {
        for (String stale : Set.copyOf(leftBehind)) {
            call("enter()", deadline, () -> withdraw(stale));
        }
        String me = UUID.randomUUID().toString();
        boolean passed = false;
        try {
            long joined = call("enter()", deadline, () -> cell.join(me));
            Set<String> seen = new HashSet<>();
            while (true) {
                View view = call("enter()", deadline, cell::read);
                if (view.readyRevision() > joined) {
                    passed = pass(me, view, view.readyRevision());
                    return true;
                }
                if (!view.members().contains(me)) {
                    throw broken("this member's entry is gone: its session ended while it waited");
                }
                Set<String> gone = new HashSet<>(seen);
                gone.removeAll(view.members());
                if (!gone.isEmpty()) {
                    throw broken(gone.size() + " member(s) that had entered left before all " + members
                            + " entered (a session ended, or a member gave up waiting)");
                }
                seen.addAll(view.members());
                if (view.members().size() >= members) {
                    passed = pass(me, view, call("enter()", deadline, () -> cell.markReady(joined)));
                    return true;
                }
                if (!awaitChange("enter()", deadline, view)) {
                    return false;
                }
            }
        } finally {
            if (!passed) {
                withdrawOnTheWayOut(me);
            }
        }
    }

    private boolean pass(String me, View view, long ready) {
        member = me;
        round = view.members();
        roundReady = ready;
        return true;
    }

    @Override
    public boolean leave(Duration timeout) throws InterruptedException {
        portal.ensureOpen("leave()");
        Rules.duration("timeout", timeout, true);
        if (!phase.compareAndSet(Phase.IN, Phase.LEAVING)) {
            throw new IllegalStateException(this + ": leave() while this member is " + describe(phase.get()) + "; call enter() first");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            String me = member;
            try {
                call("leave()", deadline, () -> withdraw(me));
            } catch (RuntimeException e) {
                leftBehind.add(me);
                throw e;
            }
            while (true) {
                View view = call("leave()", deadline, cell::read);
                Set<String> staying = new HashSet<>(round);
                staying.retainAll(view.members());
                if (staying.isEmpty()) {
                    if (view.readyRevision() == roundReady) {
                        call("leave()", deadline, () -> {
                            cell.clearReady(roundReady);
                            return null;
                        });
                    }
                    return true;
                }
                if (!awaitChange("leave()", deadline, view)) {
                    return false;
                }
            }
        } finally {
            round = Set.of();
            phase.set(Phase.OUT);
        }
    }

    /** Waits for a change after the view, for what is left of the time; false if none is left. */
    private boolean awaitChange(String operation, long deadline, View view) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        call(operation, deadline, () -> {
            cell.awaitChange(view, Duration.ofNanos(left));
            return null;
        });
        return true;
    }

    private Void withdraw(String entry) {
        cell.withdraw(entry);
        leftBehind.remove(entry);
        return null;
    }

    /** Withdraws even when interrupted or out of time: a live entry would let the next round pass one member short. */
    private void withdrawOnTheWayOut(String me) {
        boolean interrupted = Thread.interrupted();
        try {
            DriverCalls.guard(portal, "enter()", () -> withdraw(me));
        } catch (RuntimeException e) {
            leftBehind.add(me);
            LOG.debug("{}: could not withdraw entry {} yet; withdrawing it before the next enter()", this, me, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A step of the protocol, asked again through an outage until the deadline (every step is idempotent). */
    private <T> T call(String operation, long deadline, DriverCalls.Call<T, InterruptedException> step) throws InterruptedException {
        return OutageTolerantWait.retrying(portal, operation, deadline, step);
    }

    private BarrierBrokenException broken(String why) {
        return new BarrierBrokenException("double barrier '" + name + "' of " + members + " members is broken for this round: " + why
                + "; this member withdrew, enter() again to start a new round");
    }

    private static String describe(Phase phase) {
        return switch (phase) {
            case OUT -> "not in the barrier";
            case ENTERING -> "entering on another thread";
            case IN -> "in the barrier";
            case LEAVING -> "leaving on another thread";
        };
    }

    @Override
    public String toString() {
        return "DoubleBarrier[" + name + ", " + members + " members]";
    }
}
