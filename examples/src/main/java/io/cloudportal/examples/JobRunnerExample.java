package io.cloudportal.examples;

import io.cloudportal.LockLostException;
import io.cloudportal.Portal;
import io.cloudportal.kv.KvTransaction;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Semaphore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A job runner: three workers share two slots of a semaphore (say, two licences of an export
 * tool), and each writes its job's result guarded by its permit, so the store takes the result
 * only from a worker that still holds a slot. A result that arrives after its worker's slot was
 * given up is refused by the server.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.JobRunnerExample</pre>
 */
public final class JobRunnerExample {

    private static final int SLOTS = 2;

    private JobRunnerExample() {
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
        List<Portal> workers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(3);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 1; w <= 3; w++) {
                Portal worker = connect.get();
                workers.add(worker);
                String name = "worker-" + w;
                // Every worker names the same number of slots: each decides against its own number.
                Semaphore slots = worker.semaphore("exports", SLOTS);
                done.add(threads.submit(() -> {
                    for (int job = 1; job <= 2; job++) {
                        String id = name + "-job-" + job;
                        try (HeldLock permit = slots.acquire(Duration.ofSeconds(30))) {
                            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
                            byte[] result = ("exported by " + name).getBytes(StandardCharsets.UTF_8);
                            running.decrementAndGet();
                            // The server checks the permit in the same step as the write.
                            worker.kvStore().transaction().put("jobs/" + id, result).guardedBy(permit).commit();
                            out.say("%s ran %s in a slot (token %d) and stored its result", name, id, permit.fencingToken().value());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : done) {
                worker.get();
            }
            out.say("6 jobs ran, at most %d at once in %d slots", mostAtOnce.get(), SLOTS);

            // A late result: worker-1's result is on its way (its write prepared, guarded by its slot) when its job is
            // declared timed out and its slot given back; worker-2 takes the slot and stores its own result. When
            // worker-1's write arrives, the server refuses it: the slot's node or key it names is gone. A worker paused
            // until its session ended, not knowing it lost the slot, is refused the same way (the conformance kit
            // proves that on a SIGSTOPped process).
            HeldLock given = workers.get(0).semaphore("exports", SLOTS).acquire(Duration.ofSeconds(30));
            KvTransaction late = workers.get(0).kvStore().transaction()
                    .put("jobs/late", "from worker-1".getBytes(StandardCharsets.UTF_8)).guardedBy(given);
            given.close();
            try (HeldLock taken = workers.get(1).semaphore("exports", SLOTS).acquire(Duration.ofSeconds(30))) {
                workers.get(1).kvStore().transaction().put("jobs/late", "from worker-2".getBytes(StandardCharsets.UTF_8))
                        .guardedBy(taken).commit();
                out.say("worker-2 took the slot (token %d) and stored its result", taken.fencingToken().value());
            }
            try {
                late.commit();
                out.say("worker-1's late result was accepted: this must not happen");
            } catch (LockLostException refused) {
                out.say("worker-1's late result is refused by the server: %s", refused.getMessage());
            }
            out.say("jobs/late holds '%s'", new String(workers.get(0).kvStore().get("jobs/late").orElseThrow().value(),
                    StandardCharsets.UTF_8));
        } finally {
            threads.shutdownNow();
            workers.forEach(Portal::close);
        }
    }
}
