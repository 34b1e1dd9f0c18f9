package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.kv.KvStore;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.ServiceInstance;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Portal's etcd driver against raw jetcd on one etcd child process, in one run. The raw lock is
 * jetcd's {@code Lock} service with a lease granted up front (as Portal's session lease is);
 * registry lookup is compared with the range read a client without a cache makes.
 */
@State(Scope.Benchmark)
public class EtcdBenchmark {

    private static final byte[] VALUE = new byte[100];

    private EmbeddedEtcd server;
    private Portal portal;
    private Lock lock;
    private KvStore kv;
    private Registry registry;
    private Client raw;
    private long rawLease;
    private ByteSequence rawKey;
    private ByteSequence rawValue;
    private ByteSequence rawLockName;
    private ByteSequence rawServices;
    private HeldLock guard;
    private ByteSequence rawGuardKey;
    private long rawGuardRevision;
    private ByteSequence rawTxA;
    private io.cloudportal.coordination.Counter counter;
    private ByteSequence rawCounterKey;
    private ByteSequence rawTxB;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new EmbeddedEtcd();
        server.start();
        portal = Portal.connect(server.url() + "/bench");
        lock = portal.lock("bench");
        kv = portal.kvStore();
        kv.put("bench", VALUE);
        registry = portal.registry();
        registry.register(ServiceInstance.of("orders", "orders-1", "10.0.0.1", 8080));
        registry.lookup("orders");
        raw = Client.builder().endpoints("http://" + server.endpoint()).build();
        rawLease = raw.getLeaseClient().grant(10).get(10, TimeUnit.SECONDS).getID();
        raw.getLeaseClient().keepAlive(rawLease, io.etcd.jetcd.support.Observers.observer(response -> { }));
        rawKey = ByteSequence.from("/bench/kv/bench", StandardCharsets.UTF_8);
        rawValue = ByteSequence.from(VALUE);
        rawLockName = ByteSequence.from("/bench/locks/raw-bench", StandardCharsets.UTF_8);
        rawServices = ByteSequence.from("/bench/services/orders/", StandardCharsets.UTF_8);
        guard = portal.lock("guard").acquire(Duration.ofSeconds(10));
        rawGuardKey = raw.getLockClient().lock(ByteSequence.from("/bench/locks/raw-guard", StandardCharsets.UTF_8), rawLease)
                .get(10, TimeUnit.SECONDS).getKey();
        rawGuardRevision = raw.getKVClient().get(rawGuardKey).get(10, TimeUnit.SECONDS).getKvs().get(0).getCreateRevision();
        rawTxA = ByteSequence.from("/bench/kv/tx/a", StandardCharsets.UTF_8);
        counter = portal.counter("bench");
        counter.incrementAndGet();
        rawCounterKey = ByteSequence.from("/bench/counters/raw-bench", StandardCharsets.UTF_8);
        rawCounterIncrement();
        rawTxB = ByteSequence.from("/bench/kv/tx/b", StandardCharsets.UTF_8);
    }

    @TearDown(Level.Trial)
    public void stop() {
        raw.close();
        portal.close();
        server.close();
    }

    /** One uncontended increment: Portal's loop against a hand-written jetcd CAS loop (get, then a Txn on the mod revision). */
    @Benchmark
    public long portalCounterIncrement() {
        return counter.incrementAndGet();
    }

    @Benchmark
    public long rawCounterIncrement() throws Exception {
        while (true) {
            var read = raw.getKVClient().get(rawCounterKey).get(10, TimeUnit.SECONDS).getKvs();
            long value = read.isEmpty() ? 0 : Long.parseLong(read.get(0).getValue().toString(StandardCharsets.UTF_8));
            long revision = read.isEmpty() ? 0 : read.get(0).getModRevision();
            long next = value + 1;
            boolean done = raw.getKVClient().txn()
                    .If(new io.etcd.jetcd.op.Cmp(rawCounterKey, io.etcd.jetcd.op.Cmp.Op.EQUAL, io.etcd.jetcd.op.CmpTarget.modRevision(revision)))
                    .Then(io.etcd.jetcd.op.Op.put(rawCounterKey, ByteSequence.from(Long.toString(next), StandardCharsets.UTF_8),
                            io.etcd.jetcd.options.PutOption.DEFAULT))
                    .commit().get(10, TimeUnit.SECONDS).isSucceeded();
            if (done) {
                return next;
            }
        }
    }

    @Benchmark
    public long portalLockAcquireRelease() throws InterruptedException {
        try (HeldLock held = lock.acquire(Duration.ofSeconds(10))) {
            return held.fencingToken().value();
        }
    }

    @Benchmark
    public Object rawLockAcquireRelease() throws Exception {
        ByteSequence key = raw.getLockClient().lock(rawLockName, rawLease).get(10, TimeUnit.SECONDS).getKey();
        return raw.getLockClient().unlock(key).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public Object portalKvGet() {
        return kv.get("bench");
    }

    @Benchmark
    public Object rawKvGet() throws Exception {
        return raw.getKVClient().get(rawKey).get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public Object portalKvPut() {
        return kv.put("bench", VALUE);
    }

    @Benchmark
    public Object rawKvPut() throws Exception {
        return raw.getKVClient().put(rawKey, rawValue).get(10, TimeUnit.SECONDS);
    }

    /** Two puts in one transaction. */
    @Benchmark
    public Object portalKvTransaction() {
        return kv.transaction().put("tx/a", VALUE).put("tx/b", VALUE).commit();
    }

    @Benchmark
    public Object rawKvTransaction() throws Exception {
        return raw.getKVClient().txn().Then(Op.put(rawTxA, rawValue, PutOption.DEFAULT), Op.put(rawTxB, rawValue, PutOption.DEFAULT))
                .commit().get(10, TimeUnit.SECONDS);
    }

    /** A put the server makes only while the lock is held: compare the lock key's create revision, then put. */
    @Benchmark
    public Object portalKvGuardedPut() {
        return kv.guardedBy(guard).put("bench", VALUE);
    }

    @Benchmark
    public Object rawKvGuardedPut() throws Exception {
        return raw.getKVClient().txn().If(new Cmp(rawGuardKey, Cmp.Op.EQUAL, CmpTarget.createRevision(rawGuardRevision)))
                .Then(Op.put(rawKey, rawValue, PutOption.DEFAULT)).commit().get(10, TimeUnit.SECONDS);
    }

    @Benchmark
    public Object portalRegistryLookup() {
        return registry.lookup("orders");
    }

    @Benchmark
    public Object rawRegistryLookup() throws Exception {
        return raw.getKVClient().get(rawServices, GetOption.builder().isPrefix(true).build()).get(10, TimeUnit.SECONDS);
    }
}
