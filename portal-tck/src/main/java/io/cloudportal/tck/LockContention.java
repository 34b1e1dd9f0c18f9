package io.cloudportal.tck;

import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients contending for one lock in a loop, each entering a {@link FencingRegister} while it
 * believes it holds the lock, for fault tests that break servers underneath them. Acquisitions
 * that fail (a server away) are counted and tried again.
 */
public final class LockContention implements AutoCloseable {

    private final FencingRegister register = new FencingRegister();
    private final AtomicLong acquisitions = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();

    private LockContention() {
    }

    /**
     * Starts one contending thread per client.
     *
     * @param clients the connections, one per contender
     * @param lockName the lock they contend for
     * @param acquireTimeout how long one acquire may wait
     * @return the running contention; close it to stop
     */
    public static LockContention start(List<Portal> clients, String lockName, Duration acquireTimeout) {
        LockContention contention = new LockContention();
        for (int i = 0; i < clients.size(); i++) {
            Lock lock = clients.get(i).lock(lockName);
            Thread thread = new Thread(() -> contention.contend(lock, acquireTimeout), "contender-" + i);
            contention.threads.add(thread);
            thread.start();
        }
        return contention;
    }

    private void contend(Lock lock, Duration acquireTimeout) {
        while (running.get()) {
            try (HeldLock held = lock.acquire(acquireTimeout)) {
                if (held.isHeld()) {
                    register.enter(held.fencingToken());
                    Thread.yield();
                    register.leave();
                }
                acquisitions.incrementAndGet();
            } catch (PortalException | InterruptedException e) {
                failures.incrementAndGet();
            }
        }
    }

    /**
     * Waits until the contenders have made {@code more} further acquisitions.
     *
     * @param more how many more
     * @param atMost how long to wait
     */
    public void awaitProgress(long more, Duration atMost) {
        long from = acquisitions.get();
        await().atMost(atMost).until(() -> acquisitions.get() >= from + more);
    }

    /**
     * Acquisitions so far.
     *
     * @return the count
     */
    public long acquisitions() {
        return acquisitions.get();
    }

    /**
     * Acquisitions that failed (and were tried again).
     *
     * @return the count
     */
    public long failures() {
        return failures.get();
    }

    /**
     * The register the holders entered.
     *
     * @return the register, with its overlaps and stale tokens
     */
    public FencingRegister register() {
        return register;
    }

    /** Stops the contenders and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(FaultScript.STEP.toMillis());
        }
    }
}
