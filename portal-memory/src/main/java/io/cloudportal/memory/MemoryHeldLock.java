package io.cloudportal.memory;

import io.cloudportal.lock.FencingToken;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.spi.HeldLocks;
import java.util.ArrayList;
import java.util.List;

/** A lock held through a memory session; lost when that session expires. */
final class MemoryHeldLock implements HeldLock {

    private final MemoryBackend backend;
    private final String key;
    private final String name;
    private final FencingToken token;
    private final long sessionId;
    private final boolean exclusive;
    private final List<Runnable> lossCallbacks = new ArrayList<>();
    private boolean released;
    private String lostBecause;

    MemoryHeldLock(MemoryBackend backend, String key, String name, long token, long sessionId, boolean exclusive) {
        this.exclusive = exclusive;
        this.backend = backend;
        this.key = key;
        this.name = name;
        this.token = new FencingToken(token);
        this.sessionId = sessionId;
    }

    MemoryBackend backend() {
        return backend;
    }

    /** Where the backend keeps it: {@code lock/<name>} or {@code semaphore/<name>}. */
    String key() {
        return key;
    }

    /** A writer of a read-write lock. */
    boolean exclusive() {
        return exclusive;
    }

    long sessionId() {
        return sessionId;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public FencingToken fencingToken() {
        return token;
    }

    @Override
    public boolean isHeld() {
        return backend.locked(() -> !released && lostBecause == null);
    }

    @Override
    public void ensureHeld() {
        backend.locked(() -> HeldLocks.ensureHeld(name, token, lostBecause, released));
    }

    @Override
    public void onLost(Runnable onLost) {
        boolean lostAlready = backend.locked(() -> lostBecause != null || !lossCallbacks.add(onLost));
        if (lostAlready) {
            onLost.run();
        }
    }

    /** Called under the backend lock when the session expires; the callbacks only enqueue on Portal's executor. */
    void markLost(String reason) {
        if (released || lostBecause != null) {
            return;
        }
        lostBecause = reason;
        lossCallbacks.forEach(Runnable::run);
        lossCallbacks.clear();
    }

    @Override
    public void close() {
        backend.lock.lock();
        try {
            if (released) {
                return;
            }
            released = true;
            lossCallbacks.clear();
            if (lostBecause == null) {
                backend.locks.release(this);
            }
        } finally {
            backend.lock.unlock();
        }
    }
}
