package io.cloudportal.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Plain Curator clients and Portal on the same ZooKeeper see each other's instances and exclude each other's locks. */
@SuppressWarnings({"rawtypes", "unchecked"})
class ZooKeeperInteropIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private CuratorFramework curator;
    private Portal portal;

    @BeforeEach
    void connect() {
        curator = CuratorFrameworkFactory.builder().connectString(ZooKeeperHarness.INSTANCE.server().connectString())
                .namespace("tck").retryPolicy(new RetryOneTime(100)).build();
        curator.start();
        portal = ZooKeeperHarness.INSTANCE.connect();
    }

    @AfterEach
    void close() {
        portal.close();
        curator.close();
    }

    private static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ServiceDiscovery<Map> curatorDiscovery() throws Exception {
        ServiceDiscovery<Map> discovery = ServiceDiscoveryBuilder.builder(Map.class).client(curator).basePath("/services")
                .serializer(new JsonInstanceSerializer<>(Map.class)).build();
        discovery.start();
        return discovery;
    }

    /**
     * A transaction of plain puts to keys Portal saw as plain nodes goes out without reading them:
     * a key that a Curator client deleted meanwhile is created all the same, and one it replaced by
     * a TTL node ends as a plain node holding the transaction's value, as a put leaves it.
     */
    @Test
    void anUnreadTransactionStillCreatesADeletedKeyAndMakesATtlNodePlainAgain() throws Exception {
        String deleted = unique("deleted");
        String ttl = unique("ttl");
        portal.kvStore().put(deleted, "before".getBytes(StandardCharsets.UTF_8));
        portal.kvStore().put(ttl, "before".getBytes(StandardCharsets.UTF_8));
        curator.delete().forPath("/kv/" + deleted);
        curator.delete().forPath("/kv/" + ttl);
        curator.create().withTtl(60_000).withMode(org.apache.zookeeper.CreateMode.PERSISTENT_WITH_TTL)
                .forPath("/kv/" + ttl, "curator".getBytes(StandardCharsets.UTF_8));

        var result = portal.kvStore().transaction().put(deleted, "tx".getBytes(StandardCharsets.UTF_8)).commit();
        assertThat(result.committed()).isTrue();
        assertThat(new String(curator.getData().forPath("/kv/" + deleted), StandardCharsets.UTF_8)).isEqualTo("tx");

        result = portal.kvStore().transaction().put(ttl, "tx".getBytes(StandardCharsets.UTF_8)).commit();
        org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
        assertThat(new String(curator.getData().storingStatIn(stat).forPath("/kv/" + ttl), StandardCharsets.UTF_8)).isEqualTo("tx");
        assertThat(org.apache.zookeeper.server.EphemeralType.get(stat.getEphemeralOwner()))
                .as("the node a plain put in a transaction leaves").isEqualTo(org.apache.zookeeper.server.EphemeralType.VOID);
        assertThat(result.written().get(0).version()).isEqualTo(stat.getMzxid());
        assertThat(portal.kvStore().get(ttl).orElseThrow().version()).isEqualTo(stat.getMzxid());
    }

    /** Portal's counter is Curator's DistributedAtomicLong at /counters/<name>: both count the same value, together. */
    @Test
    void aCuratorDistributedAtomicLongAndAPortalCounterCountTogether() throws Exception {
        String name = unique("count");
        var curatorCounter = new org.apache.curator.framework.recipes.atomic.DistributedAtomicLong(curator, "/counters/" + name,
                new org.apache.curator.retry.RetryNTimes(1_000, 1));
        io.cloudportal.coordination.Counter portalCounter = portal.counter(name);
        assertThat(portalCounter.addAndGet(40)).isEqualTo(40);
        assertThat(curatorCounter.get().postValue()).isEqualTo(40);
        assertThat(curatorCounter.increment().succeeded()).isTrue();
        assertThat(portalCounter.get()).isEqualTo(41);
        Thread curatorSide = new Thread(() -> {
            for (int i = 0; i < 200; i++) {
                try {
                    assertThat(curatorCounter.increment().succeeded()).isTrue();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        curatorSide.start();
        for (int i = 0; i < 200; i++) {
            portalCounter.incrementAndGet();
        }
        curatorSide.join(PATIENCE.toMillis());
        assertThat(portalCounter.get()).as("after 200 increments on each side").isEqualTo(441);
        assertThat(curatorCounter.get().postValue()).isEqualTo(441);
    }

    /** A Curator LeaderLatch on Portal's election path is a candidate like Portal's: listed, observed, elected after it. */
    @Test
    void portalListsAndObservesACuratorLeaderLatchInItsElection() throws Exception {
        String name = unique("latch-election");
        try (io.cloudportal.leader.Candidacy first = portal.leaderElection(name).join("portal-1", event -> { })) {
            assertThat(first.awaitLeadership(PATIENCE)).isTrue();
            java.util.List<java.util.Optional<io.cloudportal.leader.Leader>> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            portal.leaderElection(name).observe(heard::add);
            try (var latch = new org.apache.curator.framework.recipes.leader.LeaderLatch(curator, "/elections/" + name, "curator-1")) {
                latch.start();
                await().atMost(PATIENCE).until(() -> portal.leaderElection(name).participants().equals(java.util.List.of("portal-1", "curator-1")));
                assertThat(latch.getParticipants()).extracting(org.apache.curator.framework.recipes.leader.Participant::getId)
                        .containsExactly("portal-1", "curator-1");
                first.close();
                assertThat(latch.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                await().atMost(PATIENCE).until(() -> heard.stream().flatMap(java.util.Optional::stream)
                        .map(io.cloudportal.leader.Leader::candidateId).toList().equals(java.util.List.of("portal-1", "curator-1")));
            }
        }
    }

    /** Portal's barrier is Curator's DistributedBarrier node: set by Curator, seen and removed by Portal, Curator's waiter passes. */
    @Test
    void aCuratorDistributedBarrierAndAPortalBarrierAreOne() throws Exception {
        String name = unique("barrier");
        var curatorBarrier = new org.apache.curator.framework.recipes.barriers.DistributedBarrier(curator, "/barriers/" + name);
        curatorBarrier.setBarrier();
        io.cloudportal.coordination.Barrier barrier = portal.barrier(name);
        assertThat(barrier.isSet()).isTrue();
        assertThat(barrier.await(Duration.ofMillis(100))).as("Portal waiting on Curator's barrier").isFalse();
        assertThat(curatorBarrier.waitOnBarrier(100, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(barrier.remove()).isTrue();
        assertThat(curatorBarrier.waitOnBarrier(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("Curator's waiter after Portal removed it")
                .isTrue();
    }

    /** Portal's double barrier is Curator's DistributedDoubleBarrier layout: two Portal members and one Curator member meet and part. */
    @Test
    void curatorAndPortalMembersMeetAtOneDoubleBarrier() throws Exception {
        String name = unique("double-barrier");
        var curatorMember = new org.apache.curator.framework.recipes.barriers.DistributedDoubleBarrier(curator, "/double-barriers/" + name, 3);
        io.cloudportal.coordination.DoubleBarrier first = portal.doubleBarrier(name, 3);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (Portal other = ZooKeeperHarness.INSTANCE.connect()) {
            io.cloudportal.coordination.DoubleBarrier second = other.doubleBarrier(name, 3);
            var curatorEntered = pool.submit(() -> curatorMember.enter(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            var firstEntered = pool.submit(() -> first.enter(PATIENCE));
            await().atMost(PATIENCE).until(() -> second.entered() == 2);
            assertThat(curatorEntered.isDone() || firstEntered.isDone()).as("a member passed with two of three in").isFalse();
            assertThat(second.enter(PATIENCE)).as("the third member, Portal's").isTrue();
            assertThat(curatorEntered.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("Curator's member").isTrue();
            assertThat(firstEntered.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            var curatorLeft = pool.submit(() -> curatorMember.leave(PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
            var firstLeft = pool.submit(() -> first.leave(PATIENCE));
            assertThat(second.leave(PATIENCE)).isTrue();
            assertThat(curatorLeft.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("Curator's member leaving").isTrue();
            assertThat(firstLeft.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(second.entered()).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void portalFindsAnInstanceACuratorServiceDiscoveryRegistered() throws Exception {
        String service = unique("orders");
        Map<String, String> payload = new LinkedHashMap<>(Map.of("zone", "eu-1"));
        try (ServiceDiscovery<Map> discovery = curatorDiscovery()) {
            discovery.registerService(org.apache.curator.x.discovery.ServiceInstance.<Map>builder()
                    .name(service).id("curator-1").address("10.0.0.9").port(9090).payload(payload).build());
            await().atMost(PATIENCE).until(() -> portal.registry().lookup(service).size() == 1);
            assertThat(portal.registry().lookup(service))
                    .containsExactly(new ServiceInstance(service, "curator-1", "10.0.0.9", 9090, Map.of("zone", "eu-1")));
        }
    }

    @Test
    void aCuratorServiceDiscoveryFindsAnInstancePortalRegistered() throws Exception {
        String service = unique("billing");
        try (Registration ignored = portal.registry().register(new ServiceInstance(service, "portal-1", "10.0.0.7", 8080,
                Map.of("version", "2", "note", "héllo")));
             ServiceDiscovery<Map> discovery = curatorDiscovery()) {
            Collection<org.apache.curator.x.discovery.ServiceInstance<Map>> found = discovery.queryForInstances(service);
            assertThat(found).hasSize(1);
            org.apache.curator.x.discovery.ServiceInstance<Map> instance = found.iterator().next();
            assertThat(instance.getId()).isEqualTo("portal-1");
            assertThat(instance.getAddress()).isEqualTo("10.0.0.7");
            assertThat(instance.getPort()).isEqualTo(8080);
            assertThat(instance.getPayload()).containsEntry("version", "2").containsEntry("note", "héllo");
        }
    }

    @Test
    void aCuratorServiceDiscoveryOfVoidFindsAnInstancePortalRegisteredWithoutPayload() throws Exception {
        String service = unique("void");
        try (Portal noPayload = Portal.connect(ZooKeeperHarness.INSTANCE.url() + "&registryPayload=none");
             Registration ignored = noPayload.registry().register(ServiceInstance.of(service, "portal-1", "10.0.0.8", 8080));
             ServiceDiscovery<Void> discovery = ServiceDiscoveryBuilder.builder(Void.class).client(curator).basePath("/services").build()) {
            discovery.start();
            Collection<org.apache.curator.x.discovery.ServiceInstance<Void>> found = discovery.queryForInstances(service);
            assertThat(found).extracting(org.apache.curator.x.discovery.ServiceInstance::getId).containsExactly("portal-1");
            assertThat(found.iterator().next().getPayload()).isNull();
            assertThat(noPayload.registry().lookup(service)).as("Portal reads its own instance back")
                    .containsExactly(ServiceInstance.of(service, "portal-1", "10.0.0.8", 8080));
            assertThatThrownBy(() -> noPayload.registry().register(new ServiceInstance(service, "portal-2", "h", 80, Map.of("k", "v"))))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("registryPayload");
            assertThat(discovery.queryForInstances(service)).as("nothing written by the refused registration").hasSize(1);
        }
    }

    @Test
    void aCuratorServiceDiscoveryOfVoidCannotReadAMetadataPayload() throws Exception {
        String service = unique("void-map");
        try (Registration ignored = portal.registry().register(new ServiceInstance(service, "portal-1", "10.0.0.8", 8080, Map.of("k", "v")));
             ServiceDiscovery<Void> discovery = ServiceDiscoveryBuilder.builder(Void.class).client(curator).basePath("/services").build()) {
            discovery.start();
            // Why the option exists: Curator casts the payload it read to the discovery's payload type.
            assertThatThrownBy(() -> discovery.queryForInstances(service)).isInstanceOf(ClassCastException.class);
        }
    }

    @Test
    void portalReadsTheMetadataOfASpringCloudZookeeperInstance() throws Exception {
        String service = unique("spring");
        String json = "{\"name\":\"" + service + "\",\"id\":\"spring-1\",\"address\":\"10.0.0.3\",\"port\":8081,\"sslPort\":null,"
                + "\"payload\":{\"@class\":\"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance\",\"id\":\"app\","
                + "\"name\":\"" + service + "\",\"metadata\":{\"instance_status\":\"UP\"}},\"registrationTimeUTC\":1,"
                + "\"serviceType\":\"DYNAMIC\",\"uriSpec\":{\"parts\":[]}}";
        curator.create().creatingParentContainersIfNeeded().forPath("/services/" + service + "/spring-1", json.getBytes(StandardCharsets.UTF_8));
        await().atMost(PATIENCE).until(() -> portal.registry().lookup(service).size() == 1);
        assertThat(portal.registry().lookup(service).get(0).metadata()).containsExactly(Map.entry("instance_status", "UP"));
        assertThat(portal.registry().lookup(service).get(0).port()).isEqualTo(8081);
    }

    @Test
    void aCuratorMutexAndAPortalLockOnTheSameNameExcludeEachOther() throws Exception {
        String name = unique("shared");
        InterProcessMutex mutex = new InterProcessMutex(curator, "/locks/" + name);
        assertThat(mutex.acquire(10, TimeUnit.SECONDS)).isTrue();
        assertThat(portal.lock(name).tryAcquire(Duration.ofMillis(300))).as("Portal while Curator holds").isEmpty();
        mutex.release();
        try (HeldLock held = portal.lock(name).acquire(PATIENCE)) {
            InterProcessMutex other = new InterProcessMutex(curator, "/locks/" + name);
            assertThat(other.acquire(300, TimeUnit.MILLISECONDS)).as("Curator while Portal holds").isFalse();
            assertThat(held.isHeld()).isTrue();
        }
        InterProcessMutex after = new InterProcessMutex(curator, "/locks/" + name);
        assertThat(after.acquire(10, TimeUnit.SECONDS)).as("Curator after Portal released").isTrue();
        after.release();
    }

    /**
     * Two Curator {@code InterProcessSemaphoreV2} clients and two Portal clients share one
     * semaphore of 2 permits: holders of both kinds are counted together and never exceed 2.
     */
    @Test
    void curatorAndPortalHoldersOfOneSemaphoreNeverExceedItsPermits() throws Exception {
        String name = unique("slots");
        int permits = 2;
        java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger most = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger curatorHeld = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger portalHeld = new java.util.concurrent.atomic.AtomicInteger();
        Runnable enter = () -> most.accumulateAndGet(inside.incrementAndGet(), Math::max);
        java.util.List<java.util.concurrent.Callable<Void>> contenders = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2 semaphore =
                    new org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2(curator, "/semaphores/" + name, permits);
            contenders.add(() -> {
                for (int round = 0; round < 25; round++) {
                    org.apache.curator.framework.recipes.locks.Lease lease = semaphore.acquire(30, TimeUnit.SECONDS);
                    assertThat(lease).as("a Curator lease").isNotNull();
                    enter.run();
                    curatorHeld.incrementAndGet();
                    java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
                    inside.decrementAndGet();
                    semaphore.returnLease(lease);
                }
                return null;
            });
        }
        try (Portal second = ZooKeeperHarness.INSTANCE.connect()) {
            for (Portal client : java.util.List.of(portal, second)) {
                io.cloudportal.lock.Semaphore semaphore = client.semaphore(name, permits);
                contenders.add(() -> {
                    for (int round = 0; round < 25; round++) {
                        try (HeldLock permit = semaphore.acquire(PATIENCE)) {
                            enter.run();
                            portalHeld.incrementAndGet();
                            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
                            inside.decrementAndGet();
                        }
                    }
                    return null;
                });
            }
            java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(contenders.size());
            try {
                for (java.util.concurrent.Future<Void> done : threads.invokeAll(contenders)) {
                    done.get(2, TimeUnit.MINUTES);
                }
            } finally {
                threads.shutdownNow();
            }
        }
        assertThat(curatorHeld.get()).isEqualTo(50);
        assertThat(portalHeld.get()).isEqualTo(50);
        assertThat(most.get()).as("Curator and Portal holders at once, of " + permits + " permits").isBetween(1, permits);
        java.util.List<String> left;
        try {
            left = curator.getChildren().forPath("/semaphores/" + name + "/leases");
        } catch (org.apache.zookeeper.KeeperException.NoNodeException reaped) {
            left = java.util.List.of(); // the server reaped the empty container already
        }
        assertThat(left).as("leases left").isEmpty();
    }

    /** Curator's InterProcessReadWriteLock and Portal's on one name: readers share, writers exclude, both ways. */
    @Test
    void aCuratorReadWriteLockAndPortalsShareReadersAndExcludeWriters() throws Exception {
        String name = unique("catalog");
        org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock curatorLock =
                new org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock(curator, "/rwlocks/" + name);
        io.cloudportal.lock.ReadWriteLock portalLock = portal.readWriteLock(name);
        assertThat(curatorLock.readLock().acquire(10, TimeUnit.SECONDS)).isTrue();
        try (HeldLock reading = portalLock.readLock().acquire(PATIENCE)) {
            assertThat(reading.isHeld()).as("Portal reads beside a Curator reader").isTrue();
            assertThat(portalLock.writeLock().tryAcquire(Duration.ofMillis(300))).as("Portal writes while Curator reads").isEmpty();
        }
        curatorLock.readLock().release();
        try (HeldLock writing = portalLock.writeLock().acquire(PATIENCE)) {
            java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                // Curator's lock is reentrant per thread: ask from a thread that holds nothing.
                assertThat(other.submit(() -> curatorLock.readLock().acquire(300, TimeUnit.MILLISECONDS)).get())
                        .as("Curator reads while Portal writes").isFalse();
                assertThat(other.submit(() -> curatorLock.writeLock().acquire(300, TimeUnit.MILLISECONDS)).get())
                        .as("Curator writes while Portal writes").isFalse();
            } finally {
                other.shutdownNow();
            }
            assertThat(writing.isHeld()).isTrue();
        }
        assertThat(curatorLock.writeLock().acquire(10, TimeUnit.SECONDS)).as("Curator writes once Portal released").isTrue();
        assertThat(portalLock.readLock().tryAcquire(Duration.ofMillis(300))).as("Portal reads while Curator writes").isEmpty();
        curatorLock.writeLock().release();
    }
}
