package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Four clients, each with its own connection and lease, contending for one lock; JMH adds up
 * their acquire+release rates. Raw jetcd uses etcd's lock service, whose waiters hear of a release
 * through a watch etcd catches up about every 100 ms; Portal runs the same key protocol on the
 * client and watches the predecessor from the current revision.
 */
@Threads(4)
public class EtcdContendedLockBenchmark {

    /** The one server all four clients share. */
    @State(Scope.Benchmark)
    public static class Server {
        EmbeddedEtcd etcd;

        @Setup(Level.Trial)
        public void start() {
            etcd = new EmbeddedEtcd();
            etcd.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            etcd.close();
        }
    }

    /** One client's connections, Portal's and raw jetcd's. */
    @State(Scope.Thread)
    public static class Contender {
        Portal portal;
        Lock lock;
        Client raw;
        long rawLease;
        ByteSequence rawLockName;

        @Setup(Level.Trial)
        public void connect(Server server) throws Exception {
            portal = Portal.connect(server.etcd.url() + "/bench");
            lock = portal.lock("contended");
            raw = Client.builder().endpoints("http://" + server.etcd.endpoint()).build();
            rawLease = raw.getLeaseClient().grant(10).get(10, TimeUnit.SECONDS).getID();
            raw.getLeaseClient().keepAlive(rawLease, io.etcd.jetcd.support.Observers.observer(response -> { }));
            rawLockName = ByteSequence.from("/bench/locks/raw-contended", StandardCharsets.UTF_8);
        }

        @TearDown(Level.Trial)
        public void close() {
            raw.close();
            portal.close();
        }
    }

    @Benchmark
    public long portalLockAcquireRelease(Contender contender) throws InterruptedException {
        try (HeldLock held = contender.lock.acquire(Duration.ofSeconds(30))) {
            return held.fencingToken().value();
        }
    }

    @Benchmark
    public Object rawLockAcquireRelease(Contender contender) throws Exception {
        ByteSequence key = contender.raw.getLockClient().lock(contender.rawLockName, contender.rawLease).get(30, TimeUnit.SECONDS).getKey();
        return contender.raw.getLockClient().unlock(key).get(30, TimeUnit.SECONDS);
    }
}
