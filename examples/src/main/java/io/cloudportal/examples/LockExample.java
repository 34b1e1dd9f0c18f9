package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.lock.FencingToken;
import io.cloudportal.lock.HeldLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * A lock with a fencing token: four workers take turns updating a shared stock count, and the
 * store refuses any write whose token is older than one it has seen — which is what stops a
 * holder that lost its lock without knowing (a long GC pause, a network partition) from
 * overwriting newer data.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.LockExample</pre>
 */
public final class LockExample {

    private LockExample() {
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
        FencedStore store = new FencedStore();
        List<Portal> workers = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 1; w <= 4; w++) {
                Portal worker = connect.get();
                workers.add(worker);
                String name = "worker-" + w;
                done.add(threads.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        // Always with a timeout: a worker that cannot get the lock should say so, not hang.
                        try (HeldLock held = worker.lock("stock").acquire(Duration.ofSeconds(30))) {
                            int stock = store.read();
                            store.write(held.fencingToken(), stock + 1);
                            out.say("%s holds the lock with token %d and sets stock %d -> %d", name, held.fencingToken().value(),
                                    stock, stock + 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : done) {
                worker.get();
            }
            out.say("stock is %d after 12 updates by 4 workers", store.read());

            // A stale holder: worker-1 takes the lock and is then stalled (a GC pause, say) for longer than its
            // session, so the lock passes to worker-2, who writes. Here worker-1 simply lets go, to play that
            // out without waiting for a session to expire. When worker-1 wakes and writes, its token is older.
            FencingToken stale;
            try (HeldLock held = workers.get(0).lock("stock").acquire(Duration.ofSeconds(30))) {
                stale = held.fencingToken();
            }
            try (HeldLock held = workers.get(1).lock("stock").acquire(Duration.ofSeconds(30))) {
                store.write(held.fencingToken(), store.read() + 1);
                out.say("worker-2 holds the lock with token %d and sets stock to %d", held.fencingToken().value(), store.read());
            }
            try {
                store.write(stale, 0);
                out.say("worker-1's stale write was accepted: this must not happen");
            } catch (IllegalStateException refused) {
                out.say("worker-1 wakes up and writes with its old token %d: refused (%s)", stale.value(), refused.getMessage());
            }
            out.say("stock is %d", store.read());
        } finally {
            threads.shutdownNow();
            workers.forEach(Portal::close);
        }
    }

    /**
     * The shared resource: a database row, a file, an object in a bucket. It only has to remember the
     * highest token it has seen and refuse older ones; that check is what makes the lock safe.
     */
    static final class FencedStore {
        private long highestToken = Long.MIN_VALUE;
        private int stock;

        synchronized int read() {
            return stock;
        }

        synchronized void write(FencingToken token, int value) {
            if (token.value() < highestToken) {
                throw new IllegalStateException("token " + highestToken + " was already used");
            }
            highestToken = token.value();
            stock = value;
        }
    }
}
