package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.kv.KvStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * KV get and put through Portal's memory driver against the structure it stands for (a
 * concurrent map with a version counter): the ratio is the cost of the portable layer
 * (validation, copying, the backend lock).
 */
@State(Scope.Benchmark)
public class MemoryKvBenchmark {

    private static final byte[] VALUE = new byte[100];

    private Portal portal;
    private KvStore kv;
    private final ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    @Setup(Level.Trial)
    public void open() {
        portal = Portal.connect("memory://bench-kv");
        kv = portal.kvStore();
        kv.put("bench/key", VALUE);
        map.put("bench/key", VALUE.clone());
    }

    @TearDown(Level.Trial)
    public void close() {
        portal.close();
    }

    @Benchmark
    public Object portalGet() {
        return kv.get("bench/key");
    }

    @Benchmark
    public Object rawGet() {
        byte[] value = map.get("bench/key");
        return value == null ? null : value.clone();
    }

    @Benchmark
    public Object portalPut() {
        return kv.put("bench/key", VALUE);
    }

    @Benchmark
    public Object rawPut() {
        versions.incrementAndGet();
        return map.put("bench/key", VALUE.clone());
    }
}
