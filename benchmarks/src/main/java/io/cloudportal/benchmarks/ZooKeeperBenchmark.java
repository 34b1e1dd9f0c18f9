package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import io.cloudportal.kv.KvStore;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.ServiceInstance;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Portal's ZooKeeper driver against raw Curator on one embedded ZooKeeper, in one run: the same
 * znodes, the same client settings. Registry lookup is compared with the round trip a raw
 * {@code queryForInstances} makes, since Portal serves it from a watch-fed cache.
 */
@State(Scope.Benchmark)
@SuppressWarnings({"rawtypes", "unchecked"})
public class ZooKeeperBenchmark {

    private static final byte[] VALUE = new byte[100];

    private EmbeddedZooKeeper server;
    private Portal portal;
    private Lock lock;
    private KvStore kv;
    private Registry registry;
    private CuratorFramework raw;
    private InterProcessMutex rawMutex;
    private io.cloudportal.lock.Semaphore semaphore;
    private org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2 rawSemaphore;
    private ServiceDiscovery<Map> rawDiscovery;
    private HeldLock guard;
    private String rawGuardNode;
    private io.cloudportal.coordination.Counter counter;
    private org.apache.curator.framework.recipes.atomic.DistributedAtomicLong rawCounter;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new EmbeddedZooKeeper();
        server.start();
        portal = Portal.connect(server.url() + "/bench");
        lock = portal.lock("bench");
        kv = portal.kvStore();
        kv.put("bench", VALUE);
        registry = portal.registry();
        registry.register(ServiceInstance.of("orders", "orders-1", "10.0.0.1", 8080));
        registry.lookup("orders");
        raw = CuratorFrameworkFactory.builder().connectString(server.connectString()).namespace("bench")
                .sessionTimeoutMs(15_000).connectionTimeoutMs(10_000).retryPolicy(new ExponentialBackoffRetry(100, 5, 5_000)).build();
        raw.start();
        raw.blockUntilConnected();
        rawMutex = new InterProcessMutex(raw, "/locks/raw-bench");
        semaphore = portal.semaphore("bench", 3);
        counter = portal.counter("bench");
        counter.incrementAndGet();
        rawCounter = new org.apache.curator.framework.recipes.atomic.DistributedAtomicLong(raw, "/counters/raw-bench",
                new org.apache.curator.retry.RetryNTimes(10, 1));
        rawCounter.increment();
        rawSemaphore = new org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2(raw, "/semaphores/raw-bench", 3);
        rawDiscovery = ServiceDiscoveryBuilder.builder(Map.class).client(raw).basePath("/services")
                .serializer(new JsonInstanceSerializer<>(Map.class)).build();
        rawDiscovery.start();
        guard = portal.lock("guard").acquire(Duration.ofSeconds(10));
        kv.put("tx/a", VALUE);
        kv.put("tx/b", VALUE);
        raw.create().creatingParentsIfNeeded().forPath("/kv/raw-a", VALUE);
        raw.create().forPath("/kv/raw-b", VALUE);
        // The node a raw InterProcessMutex would hold: an ephemeral sequential node under the lock's path.
        rawGuardNode = raw.create().creatingParentsIfNeeded().withMode(org.apache.zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL)
                .forPath("/locks/raw-guard/lock-");
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        rawDiscovery.close();
        raw.close();
        portal.close();
        server.close();
    }

    @Benchmark
    public long portalLockAcquireRelease() throws InterruptedException {
        try (HeldLock held = lock.acquire(Duration.ofSeconds(10))) {
            return held.fencingToken().value();
        }
    }

    @Benchmark
    public boolean rawLockAcquireRelease() throws Exception {
        boolean acquired = rawMutex.acquire(10, TimeUnit.SECONDS);
        rawMutex.release();
        return acquired;
    }

    /**
     * One permit of three, uncontended: Curator's semaphore takes its mutex, creates a lease and
     * lists the leases. Like the raw side, no token is asked for (on ZooKeeper that is one more read).
     */
    @Benchmark
    public boolean portalSemaphoreAcquireRelease() throws InterruptedException {
        try (HeldLock permit = semaphore.acquire(Duration.ofSeconds(10))) {
            return permit.isHeld();
        }
    }

    @Benchmark
    public Object rawSemaphoreAcquireRelease() throws Exception {
        org.apache.curator.framework.recipes.locks.Lease lease = rawSemaphore.acquire(10, TimeUnit.SECONDS);
        rawSemaphore.returnLease(lease);
        return lease;
    }

    @Benchmark
    public Object portalKvGet() {
        return kv.get("bench");
    }

    @Benchmark
    public Object rawKvGet() throws Exception {
        return raw.getData().forPath("/kv/bench");
    }

    @Benchmark
    public Object portalKvPut() {
        return kv.put("bench", VALUE);
    }

    @Benchmark
    public Object rawKvPut() throws Exception {
        return raw.setData().forPath("/kv/bench", VALUE);
    }

    /** Two puts in one transaction (keys Portal has written: no planning read, one multi as the raw side). */
    @Benchmark
    public Object portalKvTransaction() {
        return kv.transaction().put("tx/a", VALUE).put("tx/b", VALUE).commit();
    }

    @Benchmark
    public Object rawKvTransaction() throws Exception {
        return raw.transaction().forOperations(raw.transactionOp().setData().forPath("/kv/raw-a", VALUE),
                raw.transactionOp().setData().forPath("/kv/raw-b", VALUE));
    }

    /** One uncontended increment: a read and a versioned set on either side. */
    @Benchmark
    public long portalCounterIncrement() {
        return counter.incrementAndGet();
    }

    @Benchmark
    public Object rawCounterIncrement() throws Exception {
        return rawCounter.increment().postValue();
    }

    /** A put the server makes only while the lock is held: check the lock node, then set. */
    @Benchmark
    public Object portalKvGuardedPut() {
        return kv.guardedBy(guard).put("bench", VALUE);
    }

    @Benchmark
    public Object rawKvGuardedPut() throws Exception {
        return raw.transaction().forOperations(raw.transactionOp().check().forPath(rawGuardNode),
                raw.transactionOp().setData().forPath("/kv/bench", VALUE));
    }

    @Benchmark
    public Object portalRegistryLookup() {
        return registry.lookup("orders");
    }

    @Benchmark
    public Collection<?> rawRegistryLookup() throws Exception {
        return rawDiscovery.queryForInstances("orders");
    }
}
