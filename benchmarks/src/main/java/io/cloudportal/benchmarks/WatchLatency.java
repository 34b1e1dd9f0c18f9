package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvStore;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.WatchOption;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * Watch latency, from a put to the listener: Portal's prefix watch against the raw watch a team
 * would write on the same server, both listening to the same puts. On ZooKeeper the raw side is
 * Curator's {@code CuratorCache} on {@code /kv} (a persistent recursive watch that reads each
 * changed node, as Portal's watch does); on etcd a jetcd prefix watch. One put at a time, by a
 * third connection; the next put waits until both sides heard the last one, so this measures
 * latency, not throughput. The first fifth of the puts warm up and are dropped.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.cloudportal.benchmarks.WatchLatency zookeeper 3000</pre>
 */
public final class WatchLatency {

    private WatchLatency() {
    }

    /**
     * Runs the puts and prints the percentiles.
     *
     * @param args {@code zookeeper} or {@code etcd}, then the number of puts (default 3,000)
     * @throws Exception if a server fails
     */
    public static void main(String[] args) throws Exception {
        String backend = args.length > 0 ? args[0] : "zookeeper";
        int puts = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
        long[] portal = new long[puts];
        long[] raw = new long[puts];
        switch (backend) {
            case "zookeeper" -> zooKeeper(puts, portal, raw);
            case "etcd" -> etcd(puts, portal, raw);
            default -> throw new IllegalArgumentException("backend must be zookeeper or etcd, not " + backend);
        }
        int warmUp = puts / 5;
        long[] portalKept = Arrays.copyOfRange(portal, warmUp, puts);
        long[] rawKept = Arrays.copyOfRange(raw, warmUp, puts);
        Arrays.sort(portalKept);
        Arrays.sort(rawKept);
        for (double p : new double[] {0.50, 0.99}) {
            long portalAt = percentile(portalKept, p);
            long rawAt = percentile(rawKept, p);
            System.out.printf(Locale.ROOT, "%s watch latency p%.0f: Portal %.0f µs, raw %.0f µs, Portal ÷ raw %.2f%n", backend, p * 100,
                    portalAt / 1_000.0, rawAt / 1_000.0, (double) portalAt / rawAt);
        }
        System.out.printf(Locale.ROOT, "%s: %d puts, %d kept%n", backend, puts, portalKept.length);
    }

    private static void zooKeeper(int puts, long[] portalLatency, long[] rawLatency) throws Exception {
        try (EmbeddedZooKeeper server = new EmbeddedZooKeeper()) {
            server.start();
            try (Portal listener = Portal.connect(server.url() + "/bench"); Portal writer = Portal.connect(server.url() + "/bench");
                 CuratorFramework raw = CuratorFrameworkFactory.builder().connectString(server.connectString()).namespace("bench")
                         .retryPolicy(new ExponentialBackoffRetry(100, 5)).build()) {
                raw.start();
                raw.blockUntilConnected();
                writer.kvStore().put("lat/warm", bytes(-1));
                Puts run = new Puts(puts);
                try (CuratorCache cache = CuratorCache.build(raw, "/kv")) {
                    cache.listenable().addListener(CuratorCacheListener.builder()
                            .forCreatesAndChanges((before, node) -> run.heardRaw(node.getData())).build());
                    cache.start();
                    run.go(listener.kvStore(), writer.kvStore(), portalLatency, rawLatency);
                }
            }
        }
    }

    private static void etcd(int puts, long[] portalLatency, long[] rawLatency) throws Exception {
        try (EmbeddedEtcd server = new EmbeddedEtcd()) {
            server.start();
            try (Portal listener = Portal.connect(server.url() + "/bench"); Portal writer = Portal.connect(server.url() + "/bench");
                 Client raw = Client.builder().endpoints("http://" + server.endpoint()).build()) {
                Puts run = new Puts(puts);
                ByteSequence prefix = ByteSequence.from("/bench/kv/lat/", StandardCharsets.UTF_8);
                try (var watcher = raw.getWatchClient().watch(prefix, WatchOption.builder().isPrefix(true).build(),
                        response -> response.getEvents().forEach(e -> run.heardRaw(e.getKeyValue().getValue().getBytes())))) {
                    run.go(listener.kvStore(), writer.kvStore(), portalLatency, rawLatency);
                }
            }
        }
    }

    /** The puts, one at a time, and the two sides' arrival times for the one in flight. */
    private static final class Puts {
        private final int count;
        private final AtomicReference<CountDownLatch> bothHeard = new AtomicReference<>(new CountDownLatch(0));
        private volatile int current = -1;
        private volatile long sentAt;
        private volatile long portalAt;
        private volatile long rawAt;
        /** The put each side last heard, so a repeated event is not counted as the other side's. */
        private volatile int portalHeard = -1;
        private volatile int rawHeard = -1;

        Puts(int count) {
            this.count = count;
        }

        void heardPortal(byte[] value) {
            if (sequence(value) == current && portalHeard != current) {
                portalHeard = current;
                portalAt = System.nanoTime();
                bothHeard.get().countDown();
            }
        }

        void heardRaw(byte[] value) {
            if (sequence(value) == current && rawHeard != current) {
                rawHeard = current;
                rawAt = System.nanoTime();
                bothHeard.get().countDown();
            }
        }

        void go(KvStore listening, KvStore writing, long[] portalLatency, long[] rawLatency) throws Exception {
            try (Watch ignored = listening.watch("lat/", (KvEvent event) -> event.value().ifPresent(kv -> heardPortal(kv.value())))) {
                for (int i = 0; i < count; i++) {
                    CountDownLatch latch = new CountDownLatch(2);
                    bothHeard.set(latch);
                    current = i;
                    sentAt = System.nanoTime();
                    writing.put("lat/key", bytes(i));
                    if (!latch.await(10, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("put " + i + " was not heard by both watches within 10 s");
                    }
                    portalLatency[i] = portalAt - sentAt;
                    rawLatency[i] = rawAt - sentAt;
                }
            }
        }
    }

    private static byte[] bytes(int sequence) {
        return Integer.toString(sequence).getBytes(StandardCharsets.US_ASCII);
    }

    private static int sequence(byte[] value) {
        try {
            return Integer.parseInt(new String(value, StandardCharsets.US_ASCII));
        } catch (NumberFormatException notOurs) {
            return -2;
        }
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
    }
}
