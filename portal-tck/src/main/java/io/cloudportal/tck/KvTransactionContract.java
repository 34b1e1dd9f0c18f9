package io.cloudportal.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ClosedException;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.LockLostException;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvStore;
import io.cloudportal.kv.KvTransaction;
import io.cloudportal.kv.KvTransactionResult;
import io.cloudportal.lock.HeldLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * KV transactions: every write or none, the first failed condition named, a guard the server
 * checks in the same step, input refused before any I/O, and balances that stay balanced while
 * clients transfer between keys through a fault. A driver that does not declare
 * {@link Guarantee#KV_TRANSACTIONS} is proven to refuse them.
 */
@Requires(Facility.KV_STORE)
public abstract class KvTransactionContract extends ContractSupport {

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** False, with the absence proven, where the driver does not declare transactions. */
    private boolean transactional(KvStore kv) {
        if (declares(Guarantee.KV_TRANSACTIONS)) {
            return true;
        }
        assertThatThrownBy(kv::transaction).isInstanceOf(UnsupportedFacilityException.class);
        notApplicable("the driver does not declare KV_TRANSACTIONS (and refuses transaction())");
        return false;
    }

    @Test
    void aTransactionCommitsEveryWriteAtOnce() {
        KvStore kv = open().kvStore();
        if (!transactional(kv)) {
            return;
        }
        String root = unique("tx");
        KeyValue a = kv.put(root + "/a", bytes("10"));
        KeyValue b = kv.put(root + "/b", bytes("20"));
        kv.put(root + "/c", bytes("gone"));
        KvTransactionResult result = kv.transaction()
                .requireVersion(root + "/a", a.version()).requireVersion(root + "/b", b.version()).requireAbsent(root + "/new")
                .put(root + "/a", bytes("5")).put(root + "/b", bytes("25")).put(root + "/new", bytes("n")).delete(root + "/c")
                .commit();
        assertThat(result.committed()).isTrue();
        assertThat(result.written()).extracting(KeyValue::key).containsExactly(root + "/a", root + "/b", root + "/new");
        KvStore other = open().kvStore();
        for (KeyValue written : result.written()) {
            assertThat(other.get(written.key())).as(written.key()).hasValueSatisfying(read -> {
                assertThat(read.valueAsString()).isEqualTo(written.valueAsString());
                assertThat(read.version()).isEqualTo(written.version());
            });
        }
        assertThat(other.get(root + "/c")).isEmpty();
    }

    @Test
    void aConditionThatDoesNotHoldWritesNothingAndIsNamed() {
        KvStore kv = open().kvStore();
        if (!transactional(kv)) {
            return;
        }
        String root = unique("tx");
        KeyValue a = kv.put(root + "/a", bytes("1"));
        kv.put(root + "/a", bytes("2"));
        KvTransactionResult stale = kv.transaction().requirePresent(root + "/a").requireVersion(root + "/a", a.version())
                .put(root + "/a", bytes("3")).put(root + "/b", bytes("3")).commit();
        assertThat(stale.committed()).isFalse();
        assertThat(stale.failedCondition()).hasValue("requireVersion(" + root + "/a, " + a.version() + ")");
        assertThat(kv.get(root + "/a")).hasValueSatisfying(read -> assertThat(read.valueAsString()).isEqualTo("2"));
        assertThat(kv.get(root + "/b")).as("the other write of the refused transaction").isEmpty();

        assertThat(kv.transaction().requireAbsent(root + "/a").delete(root + "/a").commit().failedCondition())
                .hasValue("requireAbsent(" + root + "/a)");
        assertThat(kv.transaction().requirePresent(root + "/none").put(root + "/b", bytes("x")).commit().failedCondition())
                .hasValue("requirePresent(" + root + "/none)");
        assertThat(kv.get(root + "/a")).isPresent();
        assertThat(kv.get(root + "/b")).isEmpty();
    }

    @Test
    void aGuardedTransactionCommitsWhileItsLockIsHeldAndWritesNothingOnceAnotherHolderHasIt() throws Exception {
        if (!canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        Portal holder = open();
        if (!transactional(holder.kvStore())) {
            return;
        }
        if (!declared().provides(Facility.LOCK)) {
            notApplicable("the driver provides no LOCK to guard with");
            return;
        }
        String name = unique("guard");
        String key = name + "/fenced";
        HeldLock held = holder.lock(name).acquire(PATIENCE);
        assertThat(holder.kvStore().transaction().put(key, bytes("while held")).guardedBy(held).commit().committed()).isTrue();

        harness().inject(Fault.SESSION_EXPIRY, holder);
        Portal successor = open();
        try (HeldLock next = successor.lock(name).acquire(PATIENCE)) {
            int staleAccepted = 0;
            try {
                holder.kvStore().transaction().put(key, bytes("stale")).guardedBy(held).commit();
                staleAccepted++;
            } catch (LockLostException expected) {
                // the server refused it
            }
            figure("stale writes accepted", staleAccepted);
            assertThat(staleAccepted).as("a write guarded by a lock another client now holds").isZero();
            assertThat(open().kvStore().get(key)).hasValueSatisfying(read -> assertThat(read.valueAsString()).isEqualTo("while held"));
            assertThat(successor.kvStore().transaction().put(key, bytes("new holder")).guardedBy(next)
                    .commit().committed()).as("the new holder's guarded write").isTrue();
        }
    }

    /**
     * The case a guard exists for: a holder paused past its session (a long GC pause) resumes and
     * writes at once, before anything could tell it that another client took its lock meanwhile.
     * The server refuses the write.
     */
    @Test
    void aPausedHolderWhoseLockWasTakenOverWritesNothingWhenItResumes() throws Exception {
        if (!canInject(Fault.HOLDER_PAUSED)) {
            return;
        }
        Portal observer = open();
        if (!transactional(observer.kvStore())) {
            return;
        }
        String name = unique("paused");
        try (PausedHolder holder = PausedHolder.start(harness().url(), name, PATIENCE, true)) {
            holder.signal("STOP");
            java.util.Optional<HeldLock> taken;
            try {
                // Not a sleep: the observer gets the lock once the server ended the paused holder's session.
                taken = observer.lock(name).tryAcquire(PATIENCE);
            } finally {
                holder.signal("CONT");
            }
            assertThat(taken).as("the lock, once the paused holder's session ended").isPresent();
            assertThat(observer.kvStore().transaction().put(name + "/fenced", bytes("new holder")).guardedBy(taken.get()).commit()
                    .committed()).isTrue();
            staleWriteRefusedOnResuming(holder, observer.kvStore(), name + "/fenced", "new holder");
            taken.get().close();
        }
    }

    @Test
    void aLeaderWritesGuardedByItsTermAndAFollowerCannot() throws Exception {
        Portal first = open();
        if (!transactional(first.kvStore()) || !first.capabilities().provides(io.cloudportal.Facility.LEADER_ELECTION)) {
            notApplicable("the driver has no leader election to guard a transaction with");
            return;
        }
        String election = unique("guarded-election");
        io.cloudportal.leader.Candidacy leader = first.leaderElection(election).join("leader", event -> { });
        assertThat(leader.awaitLeadership(PATIENCE)).isTrue();
        Portal second = open();
        io.cloudportal.leader.Candidacy follower = second.leaderElection(election).join("follower", event -> { });
        String key = election + "/fenced";
        assertThat(first.kvStore().transaction().put(key, bytes("leader")).guardedBy(leader).commit().committed()).isTrue();
        assertThatThrownBy(() -> second.kvStore().transaction().put(key, bytes("follower")).guardedBy(follower))
                .as("a follower's term guard").isInstanceOf(io.cloudportal.LeadershipLostException.class).hasMessageContaining("follower");
        assertThatThrownBy(() -> second.kvStore().transaction().put(key, bytes("x")).guardedBy(leader))
                .as("another connection's candidacy").isInstanceOf(InvalidArgumentException.class);
        // A guard taken while leading, then leadership passes on before the commit: the server refuses it.
        io.cloudportal.kv.KvTransaction prepared = first.kvStore().transaction().put(key, bytes("deposed")).guardedBy(leader);
        leader.close();
        assertThat(follower.awaitLeadership(PATIENCE)).as("the follower, once the leader stepped down").isTrue();
        int staleAccepted = 0;
        try {
            prepared.commit();
            staleAccepted = 1;
        } catch (io.cloudportal.LeadershipLostException refused) {
            assertThat(refused).hasMessageContaining("no longer leads");
        }
        figure("stale writes accepted", staleAccepted);
        assertThat(staleAccepted).as("writes of a term that ended, accepted").isZero();
        assertThat(second.kvStore().transaction().put(key, bytes("new leader")).guardedBy(follower).commit().committed()).isTrue();
        assertThat(first.kvStore().get(key).orElseThrow().valueAsString()).isEqualTo("new leader");
    }

    @Test
    void aPausedLeaderWhoseTermEndedWritesNothingWhenItResumes() throws Exception {
        if (!canInject(Fault.HOLDER_PAUSED)) {
            return;
        }
        Portal observer = open();
        if (!transactional(observer.kvStore()) || !observer.capabilities().provides(io.cloudportal.Facility.LEADER_ELECTION)) {
            notApplicable("the driver has no leader election to guard a transaction with");
            return;
        }
        String election = unique("paused-leader");
        try (PausedHolder leader = PausedHolder.startLeader(harness().url(), election, PATIENCE)) {
            io.cloudportal.leader.Candidacy next = observer.leaderElection(election).join("next", event -> { });
            leader.signal("STOP");
            boolean elected;
            try {
                // Not a sleep: the observer is elected once the server ended the paused leader's session.
                elected = next.awaitLeadership(PATIENCE);
            } finally {
                leader.signal("CONT");
            }
            assertThat(elected).as("the next leader, once the paused one's session ended").isTrue();
            assertThat(observer.kvStore().transaction().put(election + "/fenced", bytes("new leader")).guardedBy(next).commit()
                    .committed()).isTrue();
            staleWriteRefusedOnResuming(leader, observer.kvStore(), election + "/fenced", "new leader");
        }
    }

    /**
     * Reads what the resumed child reported and checks its guarded write was refused: the figures,
     * and the value the new holder or leader wrote still in place.
     */
    private void staleWriteRefusedOnResuming(PausedHolder child, KvStore kv, String key, String newValue) throws InterruptedException {
        String resumed = child.next(PATIENCE);
        String guarded = child.next(PATIENCE);
        figure("resumed", resumed);
        figure("guarded write", guarded);
        figure("stale writes accepted", "GUARDED accepted".equals(guarded) ? 1 : 0);
        assertThat(guarded).as("the paused child's guarded write").startsWith("GUARDED refused");
        assertThat(kv.get(key)).hasValueSatisfying(read -> assertThat(read.valueAsString()).isEqualTo(newValue));
    }

    /**
     * Four clients take turns on a lock and increment a shared counter with guarded, version-checked
     * transactions for 30 s, while the fixture's faults (session expiry, a cut connection, a server
     * restart, in turn) hit a holder between its read and its write: it writes once the fault has
     * hit, with a lock it may have lost — the server must refuse that write if another holder could
     * have had the lock meanwhile. The counter ends at exactly the number of accepted writes, and no
     * write was accepted with a token older than one accepted before it.
     */
    @Test
    void fourClientsOverAFencedCounterNeverHaveAStaleWriteAcceptedWhileFaultsHitTheHolder() throws Exception {
        Portal first = open();
        if (!transactional(first.kvStore())) {
            return;
        }
        List<Fault> faults = List.of(Fault.SESSION_EXPIRY, Fault.CONNECTION_CUT, Fault.SERVER_RESTART).stream()
                .filter(harness().faults()::contains).toList();
        String name = unique("fenced-counter");
        String counter = name + "/value";
        first.kvStore().put(counter, bytes("0"));
        // A fault's victim: the next holder to read stops at the gate, says so, and writes once the fault has hit.
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch[]> gate = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicReference<Portal> victim = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger staleRefused = new AtomicInteger();
        AtomicInteger conditionRefused = new AtomicInteger();
        AtomicInteger staleAccepted = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        java.util.concurrent.atomic.AtomicLong newestAccepted = new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Portal client = i == 0 ? first : open();
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try (HeldLock held = client.lock(name).acquire(Duration.ofSeconds(20))) {
                        KeyValue read = client.kvStore().get(counter).orElseThrow();
                        java.util.concurrent.CountDownLatch[] stop = gate.getAndSet(null);
                        if (stop != null) {
                            victim.set(client);
                            stop[0].countDown();
                            stop[1].await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                        }
                        KvTransactionResult result = client.kvStore().transaction().requireVersion(counter, read.version())
                                .put(counter, bytes(Long.toString(Long.parseLong(read.valueAsString()) + 1))).guardedBy(held).commit();
                        if (result.committed()) {
                            accepted.incrementAndGet();
                            long token = held.fencingToken().value();
                            if (newestAccepted.getAndAccumulate(token, Math::max) > token) {
                                staleAccepted.incrementAndGet();
                            }
                        } else {
                            conditionRefused.incrementAndGet();
                        }
                    } catch (LockLostException refused) {
                        staleRefused.incrementAndGet();
                    } catch (io.cloudportal.PortalException e) {
                        failed.incrementAndGet(); // the fault's own effect: the server away, a timeout
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "tck-fenced-counter-" + i);
            clients.add(thread);
            thread.start();
        }
        Duration soak = harness().soak(Duration.ofSeconds(20));
        figure("seconds", soak.toSeconds());
        long end = System.nanoTime() + soak.toNanos();
        int injected = 0;
        try {
            await().atMost(PATIENCE).until(() -> accepted.get() >= 10);
            while (System.nanoTime() - end < 0) {
                if (!faults.isEmpty()) {
                    java.util.concurrent.CountDownLatch arrived = new java.util.concurrent.CountDownLatch(1);
                    java.util.concurrent.CountDownLatch hit = new java.util.concurrent.CountDownLatch(1);
                    gate.set(new java.util.concurrent.CountDownLatch[] {arrived, hit});
                    assertThat(arrived.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a holder at the gate").isTrue();
                    try {
                        harness().inject(faults.get(injected % faults.size()), victim.get());
                    } finally {
                        hit.countDown();
                    }
                    injected++;
                }
                int before = accepted.get();
                // Between faults the clients must make progress again.
                await().atMost(PATIENCE).until(() -> accepted.get() >= before + 10 || System.nanoTime() - end >= 0);
            }
        } finally {
            running.set(false);
            for (Thread thread : clients) {
                thread.join(PATIENCE.toMillis());
            }
        }
        long value = Long.parseLong(first.kvStore().get(counter).orElseThrow().valueAsString());
        figure("faults injected", injected);
        figure("acquisitions", accepted.get() + staleRefused.get() + conditionRefused.get());
        figure("writes accepted", accepted.get());
        figure("stale writes refused", staleRefused.get() + conditionRefused.get());
        figure("stale writes accepted", staleAccepted.get());
        figure("failed calls", failed.get());
        assertThat(value).as("the counter against the accepted writes").isEqualTo(accepted.get());
        assertThat(staleAccepted.get()).as("writes accepted with a token older than an accepted one").isZero();
    }

    /** A transaction's TTL put leaves a key the server removes when its TTL passes, beside keys without one. */
    @Test
    void aTransactionPutsKeysWithATimeToLiveBesideKeysWithout() throws Exception {
        KvStore kv = open().kvStore();
        if (!transactional(kv)) {
            return;
        }
        String root = unique("tx-ttl");
        if (!declares(Guarantee.KV_TTL)) {
            assertThatThrownBy(() -> kv.transaction().put(root + "/short", bytes("x"), Duration.ofSeconds(2)))
                    .isInstanceOf(UnsupportedFacilityException.class);
            return;
        }
        kv.put(root + "/replaced", bytes("old"));
        KvTransactionResult result = kv.transaction().requireAbsent(root + "/short")
                .put(root + "/short", bytes("short"), Duration.ofSeconds(2))
                .put(root + "/replaced", bytes("short too"), Duration.ofSeconds(2))
                .put(root + "/kept", bytes("kept")).commit();
        assertThat(result.committed()).isTrue();
        assertThat(kv.get(root + "/short")).hasValueSatisfying(read -> assertThat(read.valueAsString()).isEqualTo("short"));
        long start = System.nanoTime();
        await().atMost(PATIENCE).until(() -> kv.get(root + "/short").isEmpty() && kv.get(root + "/replaced").isEmpty());
        figure("ttlGoneAfterMillis", java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        assertThat(kv.get(root + "/kept")).as("the key put without a ttl in the same transaction").isPresent();
    }

    @Test
    void aWatcherSeesOneEventPerWriteOfATransactionAndNothingElse() throws Exception {
        KvStore kv = open().kvStore();
        if (!transactional(kv)) {
            return;
        }
        String root = unique("watched");
        kv.put(root + "/b", bytes("old"));
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        try (Watch ignored = open().kvStore().watch(root, events::add)) {
            await().atMost(PATIENCE).until(() -> watchIsUp(kv, root, events));
            events.clear();
            assertThat(kv.transaction().requireAbsent(root + "/never").requireVersion(root + "/missing", 0)
                    .put(root + "/a", bytes("new")).delete(root + "/b").delete(root + "/absent").commit().committed()).isTrue();
            kv.put(root + "/marker", bytes("after"));
            await().atMost(PATIENCE).until(() -> events.stream().anyMatch(event -> event.key().equals(root + "/marker")));
        }
        assertThat(events.stream().filter(event -> !event.key().equals(root + "/probe"))).extracting(event -> event.type() + " " + event.key())
                .containsExactly("PUT " + root + "/a", "DELETE " + root + "/b", "PUT " + root + "/marker");
    }

    /** A watch reports changes from when it is up: a write it sees proves that (late probe events are left out above). */
    private static boolean watchIsUp(KvStore kv, String root, List<KvEvent> events) {
        kv.put(root + "/probe", bytes("p"));
        return events.stream().anyMatch(event -> event.key().equals(root + "/probe"));
    }

    @Test
    void badTransactionsAreRefusedBeforeAnyIo() throws Exception {
        Portal portal = open();
        KvStore kv = portal.kvStore();
        if (!transactional(kv)) {
            return;
        }
        String root = unique("bad");
        assertThatThrownBy(() -> kv.transaction().requireAbsent(root + "/a").commit()).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no operation");
        assertThatThrownBy(() -> kv.transaction().put(root + "/a", bytes("1")).delete(root + "/a"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(root + "/a").hasMessageContaining("once");
        assertThatThrownBy(() -> kv.transaction().requireVersion(root + "/a", -1)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> kv.transaction().put("/" + root, bytes("1"))).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> kv.transaction().put(root + "/a", bytes("1"), Duration.ofMillis(500)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("ttl").hasMessageContaining("PT0.5S");
        KvTransaction full = kv.transaction();
        for (int i = 0; i < KvTransaction.MAX_STEPS; i++) {
            full.put(root + "/k" + i, bytes("v"));
        }
        assertThatThrownBy(() -> full.requirePresent(root + "/k0")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(Integer.toString(KvTransaction.MAX_STEPS));
        KvTransaction once = kv.transaction().put(root + "/once", bytes("1"));
        assertThat(once.commit().committed()).isTrue();
        assertThatThrownBy(once::commit).isInstanceOf(ClosedException.class);
        if (declared().provides(Facility.LOCK)) {
            HeldLock foreign = open().lock(root).acquire(PATIENCE);
            assertThatThrownBy(() -> kv.transaction().guardedBy(foreign)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("this connection");
            foreign.close();
            HeldLock released = portal.lock(root).acquire(PATIENCE);
            released.close();
            assertThatThrownBy(() -> kv.transaction().guardedBy(released)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("released");
        }
        assertThat(open().kvStore().list(root)).extracting(KeyValue::key).containsExactly(root + "/once");
    }

    /**
     * Eight clients move amounts between ten keys with version-conditioned transactions for 20 s,
     * with a connection cut after a third and a server restart after two thirds where the fixture
     * can inject them. An observer reads all ten keys and proves each read a snapshot by committing
     * a transaction that requires every version it read (under load, and every 2 s while the writers
     * pause for it): the sum is the same in every such snapshot and at the end.
     */
    @Test
    void transfersBetweenKeysKeepTheSumAtEverySnapshotThroughACutAndARestart() throws Exception {
        KvStore setup = open().kvStore();
        if (!transactional(setup)) {
            return;
        }
        String root = unique("bank");
        int accounts = 10;
        for (int i = 0; i < accounts; i++) {
            setup.put(root + "/" + i, bytes("100"));
        }
        List<Portal> clients = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            clients.add(open());
        }
        AtomicInteger committed = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger snapshots = new AtomicInteger();
        AtomicInteger lullSnapshots = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean lull = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger wrongSnapshots = new AtomicInteger();
        long start = System.nanoTime();
        Duration soak = harness().soak(Duration.ofSeconds(20));
        long until = start + soak.toNanos();
        figure("seconds", soak.toSeconds());
        ExecutorService pool = Executors.newFixedThreadPool(clients.size() + 1);
        List<String> injected = new ArrayList<>();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Portal client : clients) {
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < until) {
                        // Counted in before looking at the lull, so the observer never reads while this transfer runs.
                        inFlight.incrementAndGet();
                        try {
                            if (!lull.get()) {
                                transfer(client.kvStore(), root, accounts, committed, refused, unavailable);
                                continue;
                            }
                        } finally {
                            inFlight.decrementAndGet();
                        }
                        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
                    }
                    return null;
                }));
            }
            KvStore observer = open().kvStore();
            running.add(pool.submit(() -> {
                long nextLull = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < until) {
                    if (System.nanoTime() - nextLull < 0) {
                        snapshot(observer, root, accounts, snapshots, wrongSnapshots);
                        continue;
                    }
                    // Eight writers rarely leave ten versions alone long enough on a slow backend: every 2 s the
                    // writers pause for one snapshot, which then shows the state the faults left, if nothing else.
                    lull.set(true);
                    try {
                        await().atMost(PATIENCE).until(() -> inFlight.get() == 0);
                        snapshot(observer, root, accounts, lullSnapshots, wrongSnapshots);
                    } finally {
                        lull.set(false);
                    }
                    nextLull = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
                return null;
            }));
            // The sum is checked either way; a fixture that cannot inject a fault runs the transfers without it.
            for (Fault fault : List.of(Fault.CONNECTION_CUT, Fault.SERVER_RESTART)) {
                long at = start + soak.toNanos() * (fault == Fault.CONNECTION_CUT ? 7 : 13) / 20;
                await().atMost(PATIENCE).until(() -> System.nanoTime() >= at);
                if (harness().faults().contains(fault)) {
                    harness().inject(fault, clients.get(0));
                    injected.add(fault.name());
                }
            }
            for (Future<?> client : running) {
                client.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long sum = open().kvStore().list(root).stream().mapToLong(kv -> Long.parseLong(kv.valueAsString())).sum();
        figure("faults", injected.isEmpty() ? "none injectable here" : String.join("+", injected));
        figure("committed", committed.get());
        figure("refused", refused.get());
        figure("unavailable", unavailable.get());
        figure("snapshots under load", snapshots.get());
        figure("snapshots in lulls", lullSnapshots.get());
        figure("snapshots with another sum", wrongSnapshots.get());
        assertThat(sum).as("the sum of the accounts after %d transfers", committed.get()).isEqualTo(100L * accounts);
        assertThat(wrongSnapshots.get()).as("snapshots whose sum was not %d", 100 * accounts).isZero();
        assertThat(committed.get()).isPositive();
        assertThat(snapshots.get() + lullSnapshots.get()).as("proven snapshots").isPositive();
    }

    /** Reads every account; the read is a snapshot if no version changed before a transaction requiring them all committed. */
    private static void snapshot(KvStore kv, String root, int accounts, AtomicInteger snapshots, AtomicInteger wrong) {
        try {
            List<KeyValue> read = kv.list(root + "/");
            if (read.size() != accounts) {
                wrong.incrementAndGet();
                return;
            }
            KvTransaction proof = kv.transaction();
            for (KeyValue account : read) {
                proof.requireVersion(account.key(), account.version());
            }
            if (proof.put("snapshots-of-" + root, bytes(Integer.toString(snapshots.get()))).commit().committed()) {
                snapshots.incrementAndGet();
                if (read.stream().mapToLong(account -> Long.parseLong(account.valueAsString())).sum() != 100L * accounts) {
                    wrong.incrementAndGet();
                }
            }
        } catch (io.cloudportal.PortalException notNow) {
            // the server away or the keys busy: no snapshot this time
        }
    }

    private static void transfer(KvStore kv, String root, int accounts, AtomicInteger committed, AtomicInteger refused,
                                 AtomicInteger unavailable) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int from = random.nextInt(accounts);
        int to = (from + 1 + random.nextInt(accounts - 1)) % accounts;
        try {
            KeyValue source = kv.get(root + "/" + from).orElseThrow();
            KeyValue target = kv.get(root + "/" + to).orElseThrow();
            long amount = random.nextInt(1, 10);
            KvTransactionResult result = kv.transaction()
                    .requireVersion(source.key(), source.version()).requireVersion(target.key(), target.version())
                    .put(source.key(), bytes(Long.toString(Long.parseLong(source.valueAsString()) - amount)))
                    .put(target.key(), bytes(Long.toString(Long.parseLong(target.valueAsString()) + amount)))
                    .commit();
            (result.committed() ? committed : refused).incrementAndGet();
        } catch (io.cloudportal.ConflictException busy) {
            refused.incrementAndGet(); // nothing was written
        } catch (io.cloudportal.PortalException outcomeUnknown) {
            // The server away or slow: applied or not, the versions it named decide, and a retry reads them again.
            unavailable.incrementAndGet();
        }
    }
}
