package io.cloudportal.spring;

import io.cloudportal.Portal;
import io.cloudportal.lock.HeldLock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs work only where a lock is held, for {@code @Scheduled} jobs that must run on one instance at
 * a time:
 *
 * <pre>{@code
 * @Scheduled(fixedDelay = 60_000)
 * void nightly() throws Exception {
 *     locks.runIfHeld("reports", Duration.ZERO, held -> reports.write(held.fencingToken()));
 * }
 * }</pre>
 *
 * The lock is released when the work returns or throws; {@link HeldLock#fencingToken()} lets the
 * resources the job writes refuse a holder that lost the lock meanwhile.
 */
public final class PortalLocks {

    private final Portal portal;
    private final Set<String> holding = ConcurrentHashMap.newKeySet();

    /** @param portal the connection whose locks these are */
    public PortalLocks(Portal portal) {
        this.portal = Objects.requireNonNull(portal, "portal");
    }

    /** Work done while a lock is held. */
    @FunctionalInterface
    public interface LockedWork {
        /**
         * @param held the lock, with its fencing token
         * @throws Exception passed on to the caller, after the lock is released
         */
        void run(HeldLock held) throws Exception;
    }

    /**
     * Runs the work if the lock can be had within {@code wait}, and releases it afterwards.
     *
     * @param lock the lock's name
     * @param wait how long to wait for it; {@code Duration.ZERO} to give up at once if another instance holds it
     * @param work what to do while holding it
     * @return true if the work ran, false if the lock was held elsewhere for all of {@code wait}
     * @throws Exception what the work threw
     */
    public boolean runIfHeld(String lock, Duration wait, LockedWork work) throws Exception {
        Objects.requireNonNull(work, "work");
        Optional<HeldLock> held = portal.lock(lock).tryAcquire(wait);
        if (held.isEmpty()) {
            return false;
        }
        holding.add(lock);
        try (HeldLock holder = held.get()) {
            work.run(holder);
        } finally {
            holding.remove(lock);
        }
        return true;
    }

    /**
     * The locks held through {@link #runIfHeld} right now (the actuator endpoint lists them).
     *
     * @return their names
     */
    public Set<String> held() {
        return Set.copyOf(holding);
    }
}
