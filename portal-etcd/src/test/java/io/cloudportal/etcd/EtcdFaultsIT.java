package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.LockLostException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import io.cloudportal.Watch;
import io.cloudportal.embedded.EmbeddedEtcdCluster;
import io.cloudportal.embedded.LoopbackProxy;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvStore;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.ServiceInstance;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FencingRegister;
import io.cloudportal.tck.LockContention;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** etcd-specific faults from issue #5, each asserting the figure that matters. */
class EtcdFaultsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final EtcdHarness HARNESS = EtcdHarness.INSTANCE;

    private static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aHolderWhoseKeepAlivesAreBlackHoledIsToldBeforeAnotherHolderGetsTheLock() throws Exception {
        String name = unique("blackholed");
        FencingRegister register = new FencingRegister();
        Portal victim = HARNESS.connect();
        Portal contender = HARNESS.connect();
        try {
            HeldLock held = victim.lock(name).acquire(PATIENCE);
            long lease = EtcdHarness.leaseOf(victim);
            CountDownLatch told = new CountDownLatch(1);
            // The victim works inside the guarded section until it is told the lock is gone.
            register.enter(held.fencingToken());
            held.onLost(() -> {
                register.leave();
                told.countDown();
            });
            AtomicReference<HeldLock> next = new AtomicReference<>();
            Thread waiter = new Thread(() -> {
                try {
                    HeldLock acquired = contender.lock(name).acquire(PATIENCE);
                    register.enter(acquired.fencingToken());
                    register.leave();
                    next.set(acquired);
                } catch (InterruptedException | PortalException e) {
                    throw new AssertionError(e);
                }
            }, "contender");
            waiter.start();
            LoopbackProxy proxy = HARNESS.proxy(victim);
            // Keep-alives vanish without an error, as on a silent network, for longer than the TTL.
            proxy.blackhole();
            try {
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> !HARNESS.leaseAlive(lease));
                waiter.join(PATIENCE.toMillis());
            } finally {
                proxy.pass();
            }
            assertThat(told.getCount()).as("holder told of the loss").isZero();
            assertThat(next.get()).as("the contender's lock").isNotNull();
            assertThat(register.overlaps()).as("overlapping holders").isZero();
            assertThat(register.staleTokens()).as("stale tokens accepted").isZero();
            assertThat(next.get().fencingToken().isNewerThan(held.fencingToken())).isTrue();
            assertThatThrownBy(held::ensureHeld).isInstanceOf(LockLostException.class);
            held.close();
            next.get().close();
        } finally {
            victim.close();
            contender.close();
        }
    }

    @Test
    void aWatchSeesEveryWriteAfterASigkillAndRestartExactlyOnce() throws Exception {
        String prefix = unique("sigkill") + "/";
        Portal watcher = HARNESS.connect();
        Portal writer = HARNESS.connect();
        try {
            List<KvEvent> events = new CopyOnWriteArrayList<>();
            watcher.kvStore().watch(prefix, events::add);
            KvStore kv = writer.kvStore();
            for (int i = 0; i < 50; i++) {
                kv.put(prefix + "before-" + i, bytes("x"));
            }
            HARNESS.server().kill();
            HARNESS.server().start();
            List<String> after = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String key = prefix + "after-" + i;
                await().atMost(PATIENCE).ignoreException(UnavailableException.class)
                        .ignoreException(io.cloudportal.PortalTimeoutException.class).until(() -> {
                            kv.put(key, bytes("y"));
                            return true;
                        });
                after.add(key);
            }
            await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.key().equals(prefix + "after-199")));
            Map<String, Integer> seen = new HashMap<>();
            events.stream().filter(e -> e.type() == KvEvent.Type.PUT).forEach(e -> seen.merge(e.key(), 1, Integer::sum));
            long missed = after.stream().filter(key -> !seen.containsKey(key)).count();
            long repeated = after.stream().filter(key -> seen.getOrDefault(key, 0) > 1).count();
            assertThat(events).as("no resync: the history was there").noneMatch(e -> e.type() == KvEvent.Type.RESYNC);
            assertThat(missed).as("writes after the restart never seen").isZero();
            assertThat(repeated).as("writes after the restart seen twice").isZero();
        } finally {
            watcher.close();
            writer.close();
        }
    }

    @Test
    void aWatcherCutOffWhileHistoryIsCompactedReportsTheGapInsteadOfMissingWrites() throws Exception {
        String prefix = unique("compacted") + "/";
        Portal watcher = HARNESS.connect();
        Portal writer = HARNESS.connect();
        try {
            List<KvEvent> events = new CopyOnWriteArrayList<>();
            watcher.kvStore().watch(prefix, events::add);
            KvStore kv = writer.kvStore();
            kv.put(prefix + "first", bytes("x"));
            await().atMost(PATIENCE).until(() -> events.size() == 1);
            LoopbackProxy proxy = HARNESS.proxy(watcher);
            proxy.cut();
            List<String> written = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    kv.put(prefix + "k" + i, bytes(Integer.toString(i)));
                    written.add(prefix + "k" + i);
                }
                long revision = HARNESS.admin().getKVClient().get(EtcdConnection.bytes("/")).get(10, TimeUnit.SECONDS)
                        .getHeader().getRevision();
                HARNESS.admin().getKVClient().compact(revision).get(10, TimeUnit.SECONDS);
            } finally {
                proxy.pass();
            }
            String marker = prefix + "zz-marker";
            kv.put(marker, bytes("done"));
            // The marker arrives as an event, or - if the watch re-listed after it was written - in the
            // listing a RESYNC asks the user to take.
            await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.key().equals(marker))
                    || events.stream().anyMatch(e -> e.type() == KvEvent.Type.RESYNC)
                    && watcher.kvStore().get(marker).isPresent());
            boolean gapReported = events.stream().anyMatch(e -> e.type() == KvEvent.Type.RESYNC);
            long seenAsEvents = written.stream().filter(key -> events.stream().anyMatch(e -> e.key().equals(key))).count();
            long missedWithoutGapReport = gapReported ? 0 : written.size() - seenAsEvents;
            assertThat(missedWithoutGapReport).as("writes missed without a gap report").isZero();
            assertThat(gapReported).as("compaction took the history: the watch must say so").isTrue();
            // After the resync the listing has everything, and the watch goes on.
            assertThat(watcher.kvStore().list(prefix)).hasSize(1002);
        } finally {
            watcher.close();
            writer.close();
        }
    }

    @Test
    void registrationsAreBackOnceWithinTwiceTheLeaseTtlAfterTheLeaseIsLost() throws Exception {
        String service = unique("restored");
        Portal owner = HARNESS.connect();
        Portal observer = HARNESS.connect();
        try {
            List<Registration> registrations = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                registrations.add(owner.registry().register(ServiceInstance.of(service, "i-" + i, "10.0.0." + i, 8080)));
            }
            Registry view = observer.registry();
            await().atMost(PATIENCE).until(() -> view.lookup(service).size() == 3);
            List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
            try (Watch ignored = view.watch(service, (s, instances) -> seen.add(instances))) {
                HARNESS.inject(Fault.SESSION_EXPIRY, owner);
                await().atMost(EtcdHarness.LEASE_TTL.multipliedBy(2)).until(() -> view.lookup(service).size() == 3);
            }
            long duplicates = seen.stream().mapToLong(list -> list.size() - list.stream().map(ServiceInstance::id).distinct().count()).sum();
            assertThat(seen).as("the observer saw the instances go with the lease").anyMatch(List::isEmpty);
            assertThat(duplicates).as("an instance listed twice").isZero();
            assertThat(view.lookup(service)).extracting(ServiceInstance::id).containsExactly("i-0", "i-1", "i-2");
            registrations.forEach(Registration::close);
        } finally {
            owner.close();
            observer.close();
        }
    }

    @Test
    void fourContendersNeverOverlapWhileAClusterMemberIsStoppedAndRestarted() throws Exception {
        String name = unique("contended");
        List<Portal> clients = new ArrayList<>();
        LockContention contention;
        try (EmbeddedEtcdCluster cluster = new EmbeddedEtcdCluster(3)) {
            cluster.start();
            for (int i = 0; i < 4; i++) {
                clients.add(Portal.connect(cluster.url() + "/faults?leaseTtl=6s&operationTimeout=5s"));
            }
            try (LockContention running = LockContention.start(clients, name, Duration.ofSeconds(10))) {
                contention = running;
                running.awaitProgress(50, PATIENCE);
                cluster.stop(0);
                running.awaitProgress(50, PATIENCE);
                cluster.restart(0);
                running.awaitProgress(50, PATIENCE);
            }
        } finally {
            clients.forEach(Portal::close);
        }
        assertThat(contention.register().overlaps()).as("holders inside the guarded section at once").isZero();
        assertThat(contention.register().staleTokens()).as("stale fencing tokens accepted").isZero();
    }
}
