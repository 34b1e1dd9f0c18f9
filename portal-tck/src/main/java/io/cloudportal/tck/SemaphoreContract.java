package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Semaphore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Semaphore}: never more holders than permits, also while sessions
 * expire, connections are cut and servers restart; a lost permit is known to its holder before
 * anyone else is granted it; timeouts honoured; permits released with their connection.
 */
@Requires(Facility.SEMAPHORE)
public abstract class SemaphoreContract extends HoldingContract {

    private static final int PERMITS = 3;
    private static final int CLIENTS = 8;

    /**
     * Counts the holders inside the section a permit protects, and the most at once. A contender
     * enters only while its permit says it holds and leaves before releasing; one whose permit is
     * lost meanwhile has been told (its permit says so) and no longer counts as a holder. Entering
     * and leaving take turns, so a count sees holders that are all inside at that one moment (a
     * concurrent set's iteration would add up holders seen at different moments).
     */
    private static final class Occupancy {
        private final Set<HeldLock> inside = new HashSet<>();
        private int most;
        private final AtomicLong entries = new AtomicLong();

        synchronized void enter(HeldLock permit) {
            inside.add(permit);
            int holders = (int) inside.stream().filter(HeldLock::isHeld).count();
            most = Math.max(most, holders);
            entries.incrementAndGet();
        }

        synchronized void leave(HeldLock permit) {
            inside.remove(permit);
        }

        synchronized int most() {
            return most;
        }
    }

    /** Clients that acquire, hold for a moment and release in a loop until stopped. */
    private final class Contention implements AutoCloseable {
        private final Occupancy occupancy = new Occupancy();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong failures = new AtomicLong();
        private final List<Thread> threads = new ArrayList<>();

        Contention(List<Portal> clients, String name) {
            for (int i = 0; i < clients.size(); i++) {
                Semaphore semaphore = clients.get(i).semaphore(name, PERMITS);
                Thread thread = new Thread(() -> contend(semaphore), "tck-semaphore-contender-" + i);
                threads.add(thread);
                thread.start();
            }
        }

        private void contend(Semaphore semaphore) {
            while (running.get()) {
                try (HeldLock permit = semaphore.acquire(Duration.ofSeconds(10))) {
                    if (permit.isHeld()) {
                        occupancy.enter(permit);
                        // Holding for a moment is the workload: holders must overlap for the bound to matter.
                        LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
                        occupancy.leave(permit);
                    }
                } catch (PortalException e) {
                    failures.incrementAndGet();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void awaitEntries(long more) {
            long target = occupancy.entries.get() + more;
            org.awaitility.Awaitility.await().atMost(PATIENCE).until(() -> occupancy.entries.get() >= target);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(PATIENCE.toMillis());
            }
        }
    }

    private List<Portal> clients() {
        List<Portal> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(open());
        }
        return clients;
    }

    @Test
    void eightContendingClientsNeverHoldMoreThanThePermitsAtOnce() throws Exception {
        List<Portal> clients = clients();
        Contention contention = new Contention(clients, unique("semaphore"));
        try {
            contention.awaitEntries(200);
        } finally {
            contention.close();
        }
        figure("acquisitions", contention.occupancy.entries.get());
        figure("mostHoldersAtOnce", contention.occupancy.most());
        assertThat(contention.occupancy.most()).as("most holders at once, of " + PERMITS + " permits").isBetween(1, PERMITS);
    }

    @Test
    void eightContendingClientsNeverHoldMoreThanThePermitsWhileFaultsHitThem() throws Exception {
        List<Fault> faults = injectableFaults();
        if (faults.isEmpty()) {
            return;
        }
        List<Portal> clients = clients();
        Contention contention = new Contention(clients, unique("semaphore"));
        try {
            contention.awaitEntries(50);
            for (Fault fault : faults) {
                harness().inject(fault, clients.get(faults.indexOf(fault)));
                contention.awaitEntries(50);
            }
        } finally {
            contention.close();
        }
        figure("faults", faults.toString());
        figure("acquisitions", contention.occupancy.entries.get());
        figure("failedAcquisitions", contention.failures.get());
        figure("mostHoldersAtOnce", contention.occupancy.most());
        assertThat(contention.occupancy.most()).as("most holders at once, of " + PERMITS + " permits, through " + faults).isBetween(1, PERMITS);
    }

    @Test
    void exactlyThePermitsAreGrantedAndTheNextWaitsForARelease() throws Exception {
        String name = unique("semaphore");
        List<HeldLock> held = new ArrayList<>();
        Set<Long> tokens = new HashSet<>();
        for (int i = 0; i < PERMITS; i++) {
            HeldLock permit = open().semaphore(name, PERMITS).acquire(PATIENCE);
            assertThat(permit.isHeld()).isTrue();
            assertThat(permit.name()).isEqualTo(name);
            held.add(permit);
            tokens.add(permit.fencingToken().value());
        }
        assertThat(tokens).as("fencing tokens of the holders at once").hasSize(PERMITS);
        Semaphore waiter = open().semaphore(name, PERMITS);
        Duration timeout = Duration.ofMillis(300);
        long start = System.nanoTime();
        assertThat(waiter.tryAcquire(timeout)).as("a permit beyond the " + PERMITS).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time waited").isGreaterThanOrEqualTo(timeout.minusMillis(5));
        assertThat(waiter.tryAcquire(Duration.ZERO)).isEmpty();
        assertThatThrownBy(() -> waiter.acquire(Duration.ofMillis(100))).isInstanceOf(PortalTimeoutException.class)
                .hasMessageContaining(name).hasMessageContaining(PERMITS + "");
        HeldLock released = held.remove(0);
        released.close();
        assertThat(released.isHeld()).isFalse();
        try (HeldLock next = waiter.acquire(PATIENCE)) {
            assertThat(next.fencingToken().value()).as("the newest holder's token").isGreaterThan(
                    tokens.stream().mapToLong(Long::longValue).max().orElseThrow());
            assertThat(held).allMatch(HeldLock::isHeld);
        }
        held.forEach(HeldLock::close);
    }

    @Test
    void aPermitsOwnConnectionContendsLikeAStranger() throws Exception {
        Semaphore semaphore = open().semaphore(unique("semaphore"), 2);
        try (HeldLock first = semaphore.acquire(PATIENCE); HeldLock second = semaphore.acquire(PATIENCE)) {
            assertThat(semaphore.tryAcquire(Duration.ofMillis(100))).as("a third permit of two, same connection").isEmpty();
            assertThat(first.isHeld() && second.isHeld()).isTrue();
        }
    }

    @Test
    void closingTheConnectionReleasesItsPermits() throws Exception {
        String name = unique("semaphore");
        Portal holder = harness().connect();
        holder.semaphore(name, 1).acquire(PATIENCE);
        HeldLock permit = holder.semaphore(name, 1).tryAcquire(Duration.ZERO).orElse(null);
        assertThat(permit).as("a second permit of one").isNull();
        holder.close();
        try (HeldLock next = open().semaphore(name, 1).acquire(PATIENCE)) {
            assertThat(next.isHeld()).isTrue();
        }
    }

    @Test
    void aLostPermitIsKnownToItsHolderBeforeAnotherClientIsGrantedIt() throws Exception {
        List<Fault> faults = injectableFaults();
        if (faults.isEmpty()) {
            return;
        }
        int early = grantedWhileTheLostHolderBelievedItHeld("semaphore", faults, (portal, name) -> portal.semaphore(name, 1).acquire(PATIENCE),
                (portal, name) -> portal.semaphore(name, 1).acquire(PATIENCE));
        figure("faults", faults.toString());
        figure("grantedWhileTheOldHolderBelievedItHeld", early);
        assertThat(early).isZero();
    }

    @Test
    void aPermitGuardsWritesWhileItIsHeld() throws Exception {
        if (!declares(io.cloudportal.Guarantee.KV_TRANSACTIONS)) {
            notApplicable("the driver does not declare KV_TRANSACTIONS: there is no write for a permit to guard");
            return;
        }
        Portal portal = open();
        String name = unique("semaphore");
        String key = unique("guarded") + "/value";
        HeldLock permit = portal.semaphore(name, 2).acquire(PATIENCE);
        assertThat(portal.kvStore().transaction().put(key, new byte[] {1}).guardedBy(permit).commit().committed()).isTrue();
        permit.close();
        assertThatThrownBy(() -> portal.kvStore().transaction().put(key, new byte[] {2}).guardedBy(permit).commit())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("released");
        assertThat(portal.kvStore().get(key).orElseThrow().value()).containsExactly(1);
    }

    @Test
    void badPermitCountsAreRefusedBeforeAnyIo() {
        Portal portal = open();
        String name = unique("semaphore");
        for (int permits : new int[] {0, -1, Semaphore.MAX_PERMITS + 1}) {
            assertThatThrownBy(() -> portal.semaphore(name, permits)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("permits").hasMessageContaining(Integer.toString(permits));
        }
        assertThat(portal.semaphore(name, Semaphore.MAX_PERMITS).permits()).isEqualTo(Semaphore.MAX_PERMITS);
        assertThatThrownBy(() -> portal.semaphore(name, 2)).as("a second number for a name this connection uses")
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(Integer.toString(Semaphore.MAX_PERMITS));
        assertThatThrownBy(() -> portal.semaphore("", 2)).isInstanceOf(InvalidArgumentException.class);
        Semaphore semaphore = portal.semaphore(unique("semaphore"), 1);
        assertThatThrownBy(() -> semaphore.tryAcquire(Duration.ofMillis(-1))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> semaphore.acquire(Duration.ZERO)).isInstanceOf(InvalidArgumentException.class);
    }
}
