package io.cloudportal.spi;

import io.cloudportal.lock.FencingToken;
import io.cloudportal.lock.HeldLock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a driver's held lock keeps besides its key: whether it was released or lost (and why),
 * and the loss callbacks, run once. Once acquired, a driver binds it to its session with
 * {@link #bindTo(SessionState, String, String)}, which marks it lost on SUSPENDED or EXPIRED (the
 * rule every driver shares); it may call {@link #markLost(String)} for reasons of its own, and
 * implements {@link #release(boolean)} to remove its key. This class makes loss and release
 * happen at most once, whatever the order and the threads.
 */
public abstract class AbstractHeldLock implements HeldLock {

    private static final Logger LOG = LoggerFactory.getLogger(AbstractHeldLock.class);

    private final String name;
    /** Null until read when the driver supplies it lazily. */
    private volatile FencingToken token;
    private final java.util.function.Supplier<FencingToken> tokenSource;
    /** Null when the driver has no session deadline to offer. */
    private final LongSupplier validUntil;
    private final List<Runnable> lossCallbacks = new ArrayList<>();
    private boolean released;
    private String lostBecause;
    private AutoCloseable sessionWatch;

    /**
     * Creates a held lock.
     *
     * @param name the lock's name
     * @param token its fencing token
     */
    protected AbstractHeldLock(String name, FencingToken token) {
        this.name = name;
        this.token = token;
        this.tokenSource = null;
        this.validUntil = null;
    }

    /**
     * Creates a held lock that knows how long its session is certainly alive.
     *
     * @param name the lock's name
     * @param token its fencing token
     * @param validUntil the {@link System#nanoTime()} until which the server keeps the session
     *                   at the least: the last confirmed renewal's send time plus the TTL
     */
    protected AbstractHeldLock(String name, FencingToken token, LongSupplier validUntil) {
        this.name = name;
        this.token = token;
        this.tokenSource = null;
        this.validUntil = validUntil;
    }

    /**
     * Creates a held lock whose token costs a request to learn, read the first time it is asked
     * for (a holder that never asks pays nothing). The source may throw a {@link io.cloudportal.PortalException}
     * while the server cannot answer; it is asked again next time.
     *
     * @param name the lock's name
     * @param tokenSource reads the token from the server
     * @param validUntil as for {@link #AbstractHeldLock(String, FencingToken, LongSupplier)}
     */
    protected AbstractHeldLock(String name, java.util.function.Supplier<FencingToken> tokenSource, LongSupplier validUntil) {
        this.name = name;
        this.token = null;
        this.tokenSource = tokenSource;
        this.validUntil = validUntil;
    }

    /**
     * Binds the lock to its session: from now on SUSPENDED or EXPIRED marks it lost, and the watch
     * ends when the lock is released. A session already interrupted marks it lost at once.
     *
     * @param session the connection's session
     * @param backend what the session is on, for the reason text, e.g. "ZooKeeper"
     * @param sessionWord what ends with it, e.g. "session" or "lease"
     */
    protected final void bindTo(SessionState session, String backend, String sessionWord) {
        AutoCloseable watch = session.watchForLoss(this::markLost, backend, sessionWord);
        boolean alreadyReleased;
        synchronized (this) {
            alreadyReleased = released;
            sessionWatch = watch;
        }
        if (alreadyReleased) {
            closeQuietly(watch);
        } else if (session.isInterrupted()) {
            markLost("the connection to " + backend + " was interrupted while the lock was being acquired");
        }
    }

    private void closeQuietly(AutoCloseable watch) {
        try {
            watch.close();
        } catch (Exception e) {
            LOG.debug("Removing the session watch of lock '{}' failed", name, e);
        }
    }

    /**
     * Marks the lock lost and runs the loss callbacks, unless it was released or lost before.
     * Callbacks run on the calling thread, so a driver calls this where a callback may run.
     *
     * @param reason why, for {@link #ensureHeld()} and the log
     */
    protected final void markLost(String reason) {
        List<Runnable> toRun;
        synchronized (this) {
            if (released || lostBecause != null) {
                return;
            }
            lostBecause = reason;
            toRun = new ArrayList<>(lossCallbacks);
            lossCallbacks.clear();
        }
        FencingToken known = token;
        // Locks, permits and read or write holdings all end here: the message names none of them by kind.
        LOG.warn("Holding of '{}' (token {}) lost: {}", name, known == null ? "not read" : known.value(), reason);
        toRun.forEach(Runnable::run);
    }

    /**
     * Marks the lock lost because the server refused a write it guarded: whatever the client
     * believed, the server no longer has this holder's lock.
     *
     * @param backend the backend's name, for the reason, e.g. "etcd"
     */
    public final void refusedByTheServer(String backend) {
        markLost(backend + " refused a write this lock guarded: the server no longer has this holder's lock (its session ended or the"
                + " lock was deleted)");
    }

    /**
     * Removes the lock at the server; called once, by the first {@link #close()}.
     *
     * @param wasLost whether the lock had been lost before the holder released it
     */
    protected abstract void release(boolean wasLost);

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final FencingToken fencingToken() {
        FencingToken known = token;
        if (known == null) {
            synchronized (tokenSource) {
                known = token;
                if (known == null) {
                    known = tokenSource.get();
                    token = known;
                }
            }
        }
        return known;
    }

    /**
     * Tells whether the lock is held. A holder whose process was paused past its session's TTL
     * learns it here at once, on its own clock, before any answer from the network says so.
     */
    @Override
    public final boolean isHeld() {
        synchronized (this) {
            if (released || lostBecause != null) {
                return false;
            }
        }
        checkDeadline();
        synchronized (this) {
            return !released && lostBecause == null;
        }
    }

    @Override
    public final void ensureHeld() {
        checkDeadline();
        synchronized (this) {
            HeldLocks.ensureHeld(name, token, lostBecause, released);
        }
    }

    private void checkDeadline() {
        if (validUntil == null) {
            return;
        }
        long until = validUntil.getAsLong();
        long now = System.nanoTime();
        if (now - until >= 0) {
            markLost("no renewal of its session was confirmed for the whole TTL (" + TimeUnit.NANOSECONDS.toMillis(now - until)
                    + " ms past it): the server may have ended the session and given the lock to another holder");
        }
    }

    @Override
    public final void onLost(Runnable onLost) {
        synchronized (this) {
            if (lostBecause == null) {
                lossCallbacks.add(onLost);
                return;
            }
        }
        onLost.run();
    }

    @Override
    public final void close() {
        boolean wasLost;
        AutoCloseable watch;
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
            wasLost = lostBecause != null;
            lossCallbacks.clear();
            watch = sessionWatch;
        }
        if (watch != null) {
            closeQuietly(watch);
        }
        release(wasLost);
    }
}
