package io.cloudportal.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.Watch;
import io.cloudportal.embedded.EmbeddedZooKeeperCluster;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.ServiceInstance;
import io.cloudportal.tck.LockContention;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.Test;

/** ZooKeeper-specific faults from issue #4, each asserting the figure that matters. */
class ZooKeeperFaultsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void contendingClientsNeverOverlapWhileTheEnsembleLeaderIsKilledAndRestarted() throws Exception {
        String name = unique("contended");
        List<Portal> clients = new ArrayList<>();
        LockContention contention;
        try (EmbeddedZooKeeperCluster cluster = new EmbeddedZooKeeperCluster()) {
            for (int i = 0; i < 4; i++) {
                clients.add(Portal.connect(cluster.url() + "/faults?sessionTimeout=6s&connectionTimeout=5s"));
            }
            long started = System.nanoTime();
            try (LockContention running = LockContention.start(clients, name, Duration.ofSeconds(10))) {
                contention = running;
                running.awaitProgress(50, PATIENCE);
                InstanceSpec leader = cluster.leader();
                cluster.kill(leader);
                running.awaitProgress(50, PATIENCE);
                cluster.restart(leader);
                running.awaitProgress(50, PATIENCE);
                await().atMost(PATIENCE).until(() -> System.nanoTime() - started >= Duration.ofSeconds(30).toNanos());
            }
        } finally {
            clients.forEach(Portal::close);
        }
        assertThat(contention.register().overlaps()).as("holders inside the guarded section at once").isZero();
        assertThat(contention.register().staleTokens()).as("stale fencing tokens accepted").isZero();
        assertThat(contention.acquisitions()).isGreaterThanOrEqualTo(150);
    }

    @Test
    void threeRegistrationsAreBackOnceWithinTwiceTheSessionTimeoutAfterTheSessionExpires() throws Exception {
        ZooKeeperHarness harness = ZooKeeperHarness.INSTANCE;
        String service = unique("restored");
        Portal owner = harness.connect();
        Portal observer = harness.connect();
        try {
            List<Registration> registrations = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                registrations.add(owner.registry().register(ServiceInstance.of(service, "i-" + i, "10.0.0." + i, 8080)));
            }
            Registry view = observer.registry();
            await().atMost(PATIENCE).until(() -> view.lookup(service).size() == 3);
            List<List<ServiceInstance>> seen = new CopyOnWriteArrayList<>();
            try (Watch ignored = view.watch(service, (s, instances) -> seen.add(instances))) {
                harness.inject(io.cloudportal.tck.Fault.SESSION_EXPIRY, owner);
                // The harness returns once the client has its new session; from then on the
                // instances must be back within twice the session timeout.
                await().atMost(ZooKeeperHarness.SESSION_TIMEOUT.multipliedBy(2))
                        .until(() -> view.lookup(service).size() == 3);
            }
            long duplicates = seen.stream().mapToLong(list -> list.size() - list.stream().map(ServiceInstance::id).distinct().count()).sum();
            assertThat(duplicates).as("an instance listed twice").isZero();
            assertThat(view.lookup(service)).extracting(ServiceInstance::id).containsExactly("i-0", "i-1", "i-2");
            registrations.forEach(Registration::close);
        } finally {
            owner.close();
            observer.close();
        }
    }

    @Test
    void aNodeLeftByTheOldSessionIsReplacedNotDuplicatedAndOutlivesThatSession() throws Exception {
        ZooKeeperHarness harness = ZooKeeperHarness.INSTANCE;
        String service = unique("node-exists");
        Portal owner = harness.connect();
        Portal observer = harness.connect();
        try {
            owner.registry().register(ServiceInstance.of(service, "only", "h", 80));
            CuratorFramework client = owner.unwrap(CuratorFramework.class).orElseThrow();
            long oldSession = client.getZookeeperClient().getZooKeeper().getSessionId();
            List<ConnectionState> states = new CopyOnWriteArrayList<>();
            try (Watch ignored = owner.onStateChange(states::add)) {
                // The client gives its session up while the server still holds it and its node:
                // re-registering meets a NodeExists owned by the old session.
                client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
                await().atMost(PATIENCE).until(() -> states.contains(ConnectionState.EXPIRED)
                        && states.get(states.size() - 1) == ConnectionState.RECONNECTED);
            }
            long newSession = client.getZookeeperClient().getZooKeeper().getSessionId();
            assertThat(newSession).isNotEqualTo(oldSession);
            String path = "/services/" + service + "/only";
            await().atMost(PATIENCE).until(() -> {
                Stat stat = client.checkExists().forPath(path);
                return stat != null && stat.getEphemeralOwner() == newSession;
            });
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> !harness.sessionAlive(oldSession));
            assertThat(observer.registry().lookup(service)).extracting(ServiceInstance::id).containsExactly("only");
            assertThat(client.checkExists().forPath(path).getEphemeralOwner()).isEqualTo(newSession);
        } finally {
            owner.close();
            observer.close();
        }
    }

    @Test
    void releasingALockLostWithItsSessionLeavesNoOrphanNode() throws Exception {
        ZooKeeperHarness harness = ZooKeeperHarness.INSTANCE;
        String name = unique("orphan");
        Portal owner = harness.connect();
        try {
            HeldLock held = owner.lock(name).acquire(PATIENCE);
            CuratorFramework client = owner.unwrap(CuratorFramework.class).orElseThrow();
            long oldSession = client.getZookeeperClient().getZooKeeper().getSessionId();
            client.getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
            await().atMost(PATIENCE).until(() -> !held.isHeld());
            held.close();
            // The old session still exists at the server for a while; the release must not wait for it.
            await().atMost(ZooKeeperHarness.SESSION_TIMEOUT).until(() -> {
                Stat parent = client.checkExists().forPath("/locks/" + name);
                return parent == null || parent.getNumChildren() == 0;
            });
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> !harness.sessionAlive(oldSession));
            Stat parent = client.checkExists().forPath("/locks/" + name);
            assertThat(parent == null ? 0 : parent.getNumChildren()).as("orphan lock nodes").isZero();
        } finally {
            owner.close();
        }
    }

    @Test
    void anInstanceDeregisteredWhileDisconnectedDoesNotComeBack() throws Exception {
        ZooKeeperHarness harness = ZooKeeperHarness.INSTANCE;
        String service = unique("phantom");
        Portal owner = harness.connect();
        Portal observer = harness.connect();
        try {
            Registration gone = owner.registry().register(ServiceInstance.of(service, "gone", "h", 80));
            owner.registry().register(ServiceInstance.of(service, "marker", "h", 81));
            await().atMost(PATIENCE).until(() -> observer.registry().lookup(service).size() == 2);
            List<ConnectionState> states = new CopyOnWriteArrayList<>();
            try (Watch ignored = owner.onStateChange(states::add)) {
                harness.proxy(owner).cut();
                await().atMost(PATIENCE).until(() -> states.contains(ConnectionState.SUSPENDED));
                gone.close();
                harness.proxy(owner).pass();
                await().atMost(PATIENCE).until(() -> states.get(states.size() - 1) == ConnectionState.RECONNECTED);
            }
            await().atMost(PATIENCE).until(() -> observer.registry().lookup(service).stream().noneMatch(i -> i.id().equals("gone")));
            // Force a re-registration of what is still open: the deregistered instance must stay gone.
            harness.inject(io.cloudportal.tck.Fault.CONNECTION_CUT, owner);
            await().atMost(PATIENCE).until(() -> observer.registry().lookup(service).size() == 1);
            assertThat(observer.registry().lookup(service)).extracting(ServiceInstance::id).containsExactly("marker");
        } finally {
            owner.close();
            observer.close();
        }
    }

    @Test
    void digestCredentialsProtectWhatTheyCreate() {
        ZooKeeperHarness harness = ZooKeeperHarness.INSTANCE;
        String url = harness.server().url() + "/secured";
        try (Portal owner = Portal.connect(url + "?user=app&password=s3cret");
             Portal stranger = Portal.connect(url)) {
            owner.kvStore().put("config", new byte[] {42});
            assertThat(owner.kvStore().get("config")).isPresent();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> stranger.kvStore().get("config"))
                    .isInstanceOf(AccessDeniedException.class).hasMessageContaining("NOAUTH")
                    .hasMessageNotContaining("s3cret");
            assertThat(owner.toString()).doesNotContain("s3cret");
        }
    }

    /**
     * The server deletes an election's container once its last candidate leaves, and the
     * container above it one sweep later (every 100 ms in the test server). A candidate joining
     * then has its node created under parents that are being reaped: Curator's latch gave up on a
     * NoNode and waited forever. Each round joins at a later point of the second sweep (phases
     * 80 to 100 ms in 0.25 ms steps after the first) so that one of them meets the reaping.
     */
    @Test
    void aCandidateJoiningWhileTheServerReapsTheElectionsParentsIsElected() throws Exception {
        String url = ZooKeeperHarness.INSTANCE.server().url() + "/" + unique("reaped");
        try (Portal leaving = Portal.connect(url); Portal joining = Portal.connect(url); Portal observer = Portal.connect(url)) {
            CuratorFramework raw = observer.unwrap(CuratorFramework.class).orElseThrow();
            int rounds = 80;
            for (int round = 0; round < rounds; round++) {
                io.cloudportal.leader.Candidacy first = leaving.leaderElection("vacated").join("leaving", event -> { });
                assertThat(first.awaitLeadership(Duration.ofSeconds(10))).as("first elected in round %d", round).isTrue();
                java.util.concurrent.CountDownLatch reaped = new java.util.concurrent.CountDownLatch(1);
                Stat exists = raw.checkExists().usingWatcher((org.apache.zookeeper.Watcher) event -> reaped.countDown())
                        .forPath("/elections/vacated");
                assertThat(exists).isNotNull();
                first.close();
                assertThat(reaped.await(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("election node reaped").isTrue();
                // The scenario is a join at a given phase of the server's sweep, not a wait for a condition.
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(80).toNanos() + round * 250_000L);
                io.cloudportal.leader.Candidacy second = joining.leaderElection("vacated").join("joining", event -> { });
                assertThat(second.awaitLeadership(Duration.ofSeconds(10)))
                        .as("elected when joining %d µs after the election's node was reaped", 80_000 + round * 250).isTrue();
                second.close();
            }
        }
    }

    /** A namespace no key was put in has no {@code /kv} node: a transaction's creates need it made first. */
    @Test
    void aTransactionCanBeTheFirstWriteOfAFreshNamespace() throws Exception {
        try (Portal fresh = Portal.connect(ZooKeeperHarness.INSTANCE.server().url() + "/" + unique("fresh"))) {
            io.cloudportal.kv.KvTransactionResult result = fresh.kvStore().transaction().requireAbsent("a").put("a", new byte[] {1})
                    .put("b/c", new byte[] {2}).commit();
            assertThat(result.committed()).as("committed, not refused on the absent-key condition").isTrue();
            assertThat(fresh.kvStore().get("b/c").orElseThrow().value()).containsExactly(2);
        }
    }
}
