package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Uncontended acquire and release through Portal's memory driver against a JDK fair lock. */
@State(Scope.Benchmark)
public class MemoryLockBenchmark {

    private Portal portal;
    private Lock lock;
    private final ReentrantLock raw = new ReentrantLock(true);

    @Setup(Level.Trial)
    public void open() {
        portal = Portal.connect("memory://bench-lock");
        lock = portal.lock("bench");
    }

    @TearDown(Level.Trial)
    public void close() {
        portal.close();
    }

    @Benchmark
    public long portalAcquireRelease() throws InterruptedException {
        try (HeldLock held = lock.acquire(Duration.ofSeconds(10))) {
            return held.fencingToken().value();
        }
    }

    @Benchmark
    public boolean rawAcquireRelease() throws InterruptedException {
        boolean acquired = raw.tryLock(10, TimeUnit.SECONDS);
        raw.unlock();
        return acquired;
    }
}
