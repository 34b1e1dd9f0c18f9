package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.coordination.CountDownLatch;
import io.cloudportal.coordination.Counter;
import io.cloudportal.coordination.DoubleBarrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * A nightly batch: a coordinator sets a latch of five; five workers meet at a double barrier so
 * that none starts before all are up, each loads its part, adds the rows it loaded to a shared
 * counter and counts the latch down, then waits at the barrier until all five are done (a worker
 * whose process died would count as gone instead of holding the others). The coordinator waits on
 * the latch and reads the total. Latch, counter and barrier live on the server, so any process can
 * join, and a count-down whose answer is lost is asked again rather than counted twice.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.BatchJobExample</pre>
 */
public final class BatchJobExample {

    private static final int WORKERS = 5;

    private BatchJobExample() {
    }

    /**
     * Runs the example on the configured coordination backend (an embedded ZooKeeper if none).
     *
     * @param args unused
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Transcript out = Transcript.console();
        try (Backend backend = Backend.coordination(out)) {
            run(backend::connect, out);
        }
    }

    /**
     * The example itself.
     *
     * @param connect opens a connection, as one process of the system would
     * @param out where the example says what happens
     * @throws Exception if a step fails
     */
    public static void run(Supplier<Portal> connect, Transcript out) throws Exception {
        String batch = "nightly-" + System.nanoTime();
        List<Portal> processes = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(WORKERS);
        try (Portal coordinator = connect.get()) {
            CountDownLatch loaded = coordinator.countDownLatch(batch);
            Counter rows = coordinator.counter(batch + "-rows");
            loaded.trySetCount(WORKERS);
            out.say("the coordinator waits for %d parts (latch at %d)", WORKERS, loaded.count());
            List<Future<Boolean>> done = new ArrayList<>();
            for (int w = 1; w <= WORKERS; w++) {
                Portal process = connect.get();
                processes.add(process);
                int part = w;
                done.add(threads.submit(() -> {
                    DoubleBarrier stage = process.doubleBarrier(batch + "-stage", WORKERS);
                    if (!stage.enter(Duration.ofSeconds(30))) {
                        return false;
                    }
                    long loadedRows = 1_000L * part;
                    process.counter(batch + "-rows").addAndGet(loadedRows);
                    process.countDownLatch(batch).countDown();
                    return stage.leave(Duration.ofSeconds(30));
                }));
            }
            boolean all = loaded.await(Duration.ofSeconds(30));
            int together = 0;
            for (Future<Boolean> worker : done) {
                together += worker.get() ? 1 : 0;
            }
            out.say("%d workers started together and finished together", together);
            out.say("all parts loaded: %s; %d rows in all", all, rows.get());
            loaded.countDown();
            out.say("a late count-down leaves the latch at %d", loaded.count());
            loaded.delete();
            out.say("the coordinator deleted the latch");
        } finally {
            threads.shutdownNow();
            processes.forEach(Portal::close);
        }
    }
}
