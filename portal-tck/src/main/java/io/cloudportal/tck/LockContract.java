package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.LockLostException;
import io.cloudportal.Portal;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.spi.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The contract of {@link Lock}: mutual exclusion, fencing, timeouts, and loss signalled to the holder. */
@Requires(Facility.LOCK)
public abstract class LockContract extends ContractSupport {

    /** Clients that contend in the concurrency scenario. */
    protected int contendingClients() {
        return 3;
    }

    /** Acquisitions per contending thread (two threads per client). */
    protected int acquisitionsPerThread() {
        return 15;
    }

    /**
     * A blocking call honours its caller's timeout end to end, also when the server stalls: no
     * request on the way may wait longer than what is left ({@link Deadline}). The margin on top of
     * the documented slack is for scheduling on a loaded test machine.
     */
    @Test
    void tryAcquireAndAwaitLeadershipReturnWithinTheirTimeoutWhileTheServerIsFrozen() throws Exception {
        if (!canInject(Fault.SERVER_FROZEN)) {
            return;
        }
        String name = unique("frozen");
        Portal holder = open();
        Portal victim = open();
        Duration timeout = Duration.ofSeconds(1);
        Duration bound = timeout.plus(Deadline.SLACK).plus(Duration.ofSeconds(1));
        try (HeldLock held = holder.lock(name).acquire(PATIENCE)) {
            Lock lock = victim.lock(name);
            assertThat(lock.tryAcquire(Duration.ZERO)).as("the holder has it").isEmpty();
            Candidacy leader = holder.capabilities().provides(Facility.LEADER_ELECTION)
                    ? holder.leaderElection(name).join("leader", event -> { }) : null;
            Candidacy waiting = null;
            if (leader != null) {
                assertThat(leader.awaitLeadership(PATIENCE)).isTrue();
                waiting = victim.leaderElection(name).join("waiting", event -> { });
            }
            long acquireNanos;
            long leadershipNanos = 0;
            Object outcome;
            try (AutoCloseable frozen = harness().freeze(victim)) {
                long start = System.nanoTime();
                try {
                    outcome = lock.tryAcquire(timeout);
                } catch (UnavailableException e) {
                    // PortalTimeoutException is one: the server did not answer in time.
                    outcome = e.getClass().getSimpleName();
                }
                acquireNanos = System.nanoTime() - start;
                if (waiting != null) {
                    start = System.nanoTime();
                    assertThat(waiting.awaitLeadership(timeout)).as("a candidate behind a live leader").isFalse();
                    leadershipNanos = System.nanoTime() - start;
                }
            }
            figure("tryAcquireMs", TimeUnit.NANOSECONDS.toMillis(acquireNanos));
            figure("awaitLeadershipMs", TimeUnit.NANOSECONDS.toMillis(leadershipNanos));
            assertThat(outcome).as("tryAcquire while the holder holds and the server is frozen")
                    .isIn(Optional.empty(), "PortalTimeoutException", "UnavailableException");
            assertThat(Duration.ofNanos(acquireNanos)).as("tryAcquire(%s) while the server is frozen", timeout).isLessThanOrEqualTo(bound);
            assertThat(Duration.ofNanos(leadershipNanos)).as("awaitLeadership(%s) while the server is frozen", timeout)
                    .isLessThanOrEqualTo(bound);
        }
    }

    /**
     * A holder paused past its session's TTL (the server gave the lock to another meanwhile) must
     * see {@code isHeld() == false} the moment it resumes, on its own clock, before any answer from
     * the network: its first write after resuming would otherwise be made believing it holds the lock.
     */
    @Test
    void aHolderPausedPastItsSessionSeesItHoldsNothingTheMomentItResumes() throws Exception {
        if (!canInject(Fault.HOLDER_PAUSED)) {
            return;
        }
        String name = unique("paused");
        Portal observer = open();
        try (PausedHolder holder = PausedHolder.start(harness().url(), name, PATIENCE)) {
            holder.signal("STOP");
            Optional<HeldLock> taken;
            try {
                // Not a sleep: the observer gets the lock once the server ended the paused holder's session.
                taken = observer.lock(name).tryAcquire(PATIENCE);
            } finally {
                holder.signal("CONT");
            }
            assertThat(taken).as("the lock, once the paused holder's session ended").isPresent();
            String resumed = holder.next(PATIENCE);
            figure("resumed", resumed);
            assertThat(resumed).as("what the holder's isHeld() said on resuming").startsWith("RESUMED false");
            taken.get().close();
        }
    }

    @Test
    void concurrentHoldersNeverOverlapAndTokensStrictlyIncrease() throws Exception {
        String name = unique("lock");
        FencingRegister register = new FencingRegister();
        List<Lock> locks = new ArrayList<>();
        for (int i = 0; i < contendingClients(); i++) {
            locks.add(open().lock(name));
        }
        ExecutorService threads = Executors.newFixedThreadPool(locks.size() * 2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Lock lock : locks) {
                for (int t = 0; t < 2; t++) {
                    done.add(threads.submit(() -> {
                        for (int i = 0; i < acquisitionsPerThread(); i++) {
                            try (HeldLock held = lock.acquire(PATIENCE)) {
                                register.enter(held.fencingToken());
                                Thread.yield();
                                register.leave();
                            }
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> future : done) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }
        figure("acquisitions", register.writes());
        figure("overlaps", register.overlaps());
        figure("staleTokens", register.staleTokens());
        assertThat(register.writes()).isEqualTo((long) locks.size() * 2 * acquisitionsPerThread());
        assertThat(register.overlaps()).as("holders that overlapped").isZero();
        assertThat(register.staleTokens()).as("holders whose token was not strictly newer").isZero();
    }

    @Test
    void tryAcquireHonoursItsTimeout() throws Exception {
        String name = unique("lock");
        Lock first = open().lock(name);
        Lock second = open().lock(name);
        try (HeldLock held = first.acquire(PATIENCE)) {
            Duration timeout = Duration.ofMillis(300);
            long start = System.nanoTime();
            Optional<HeldLock> attempt = second.tryAcquire(timeout);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertThat(attempt).as("a second holder while the first holds").isEmpty();
            assertThat(waited).as("time waited before giving up").isGreaterThanOrEqualTo(timeout.minusMillis(5));
            assertThat(second.tryAcquire(Duration.ZERO)).isEmpty();
            assertThat(held.isHeld()).isTrue();
        }
        Optional<HeldLock> after = second.tryAcquire(PATIENCE);
        assertThat(after).as("the lock once the first holder released it").isPresent();
        after.get().close();
    }

    @Test
    void acquireThrowsTimeoutWhenAnotherHolderKeepsTheLock() throws Exception {
        String name = unique("lock");
        try (HeldLock held = open().lock(name).acquire(PATIENCE)) {
            Lock other = open().lock(name);
            assertThatThrownBy(() -> other.acquire(Duration.ofMillis(200)))
                    .isInstanceOf(PortalTimeoutException.class)
                    .hasMessageContaining(name);
            assertThat(held.isHeld()).isTrue();
        }
    }

    @Test
    void fencingTokensIncreaseAcrossSuccessiveHolders() throws Exception {
        String name = unique("lock");
        Lock lock = open().lock(name);
        Lock other = open().lock(name);
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 5; i++) {
            try (HeldLock held = (i % 2 == 0 ? lock : other).acquire(PATIENCE)) {
                assertThat(held.fencingToken().value()).isGreaterThan(previous);
                previous = held.fencingToken().value();
            }
        }
    }

    @Test
    void lockIsNotReentrantWithinAConnection() throws Exception {
        Lock lock = open().lock(unique("lock"));
        try (HeldLock held = lock.acquire(PATIENCE)) {
            assertThat(lock.tryAcquire(Duration.ofMillis(100))).as("a second acquire by the same connection").isEmpty();
            assertThat(held.isHeld()).isTrue();
        }
    }

    @Test
    void releaseIsIdempotentAndEndsTheHolding() throws Exception {
        String name = unique("lock");
        HeldLock held = open().lock(name).acquire(PATIENCE);
        held.close();
        assertThatCode(held::close).doesNotThrowAnyException();
        assertThat(held.isHeld()).isFalse();
        assertThatThrownBy(held::ensureHeld).isInstanceOf(LockLostException.class).hasMessageContaining(name);
        try (HeldLock next = open().lock(name).acquire(PATIENCE)) {
            assertThat(next.fencingToken().isNewerThan(held.fencingToken())).isTrue();
        }
    }

    @Test
    void interruptedAcquireLeavesNothingHeld() throws Exception {
        String name = unique("lock");
        HeldLock held = open().lock(name).acquire(PATIENCE);
        Lock waiter = open().lock(name);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            started.countDown();
            try {
                waiter.acquire(PATIENCE).close();
                outcome.set(new AssertionError("acquired although the lock was held"));
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "tck-interrupted-waiter");
        thread.start();
        started.await();
        await().atMost(PATIENCE).until(() -> thread.getState() == Thread.State.TIMED_WAITING || thread.getState() == Thread.State.WAITING);
        thread.interrupt();
        thread.join(PATIENCE.toMillis());
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        held.close();
        try (HeldLock next = open().lock(name).acquire(PATIENCE)) {
            assertThat(next.isHeld()).as("the lock after the interrupted waiter gave up").isTrue();
        }
    }

    @Test
    void holderIsToldOfLossOnSessionExpiryBeforeAnotherAcquires() throws Exception {
        if (!canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        String name = unique("lock");
        Portal victim = open();
        HeldLock held = victim.lock(name).acquire(PATIENCE);
        CountDownLatch told = new CountDownLatch(1);
        held.onLost(told::countDown);
        harness().inject(Fault.SESSION_EXPIRY, victim);
        assertThat(told.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("holder told of the loss").isTrue();
        assertThat(held.isHeld()).isFalse();
        assertThatThrownBy(held::ensureHeld).isInstanceOf(LockLostException.class);
        try (HeldLock next = open().lock(name).acquire(PATIENCE)) {
            figure("overlaps", held.isHeld() ? 1 : 0);
            assertThat(held.isHeld()).as("the old holder still believes it holds").isFalse();
            assertThat(next.fencingToken().isNewerThan(held.fencingToken())).isTrue();
            assertThatCode(held::close).as("releasing a lost lock").doesNotThrowAnyException();
            assertThat(next.isHeld()).as("the new holder after the old one released its lost lock").isTrue();
            assertThat(open().lock(name).tryAcquire(Duration.ofMillis(200))).as("a third holder").isEmpty();
        }
    }

    @Test
    void holderIsToldOfLossWhenItsConnectionIsCut() throws Exception {
        if (canInject(Fault.CONNECTION_CUT)) {
            lossIsToldAndNoOneOverlaps(Fault.CONNECTION_CUT);
        }
    }

    @Test
    void holderIsToldOfLossWhenTheServerRestarts() throws Exception {
        if (canInject(Fault.SERVER_RESTART)) {
            lossIsToldAndNoOneOverlaps(Fault.SERVER_RESTART);
        }
    }

    private void lossIsToldAndNoOneOverlaps(Fault fault) throws Exception {
        String name = unique("lock");
        Portal victim = open();
        HeldLock held = victim.lock(name).acquire(PATIENCE);
        CountDownLatch told = new CountDownLatch(1);
        held.onLost(told::countDown);
        harness().inject(fault, victim);
        assertThat(told.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("holder told of the loss").isTrue();
        assertThat(held.isHeld()).isFalse();
        assertThatCode(held::close).doesNotThrowAnyException();
        try (HeldLock next = open().lock(name).acquire(PATIENCE)) {
            assertThat(next.fencingToken().isNewerThan(held.fencingToken())).isTrue();
        }
    }
}
