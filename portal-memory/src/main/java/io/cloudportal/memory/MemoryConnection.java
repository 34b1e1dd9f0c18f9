package io.cloudportal.memory;

import io.cloudportal.ConnectionState;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.registry.Registry;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.SessionState;
import java.util.List;
import java.util.Optional;

/** One connection to a memory backend, with a session that {@link MemoryFaults} can expire. */
final class MemoryConnection implements DriverConnection, MemoryFaults {

    private final MemoryBackend backend;
    private final DriverContext context;
    private final MemoryRegistry registry;
    private final MemoryKvStore kvStore;
    private final MemoryPublisher publisher;
    private final MemorySubscriber subscriber;
    private volatile long sessionId;
    private final SessionState session;

    MemoryConnection(MemoryBackend backend, DriverContext context) {
        this.backend = backend;
        this.context = context;
        this.sessionId = backend.newSessionId();
        this.session = new SessionState("the memory connection " + context.connectionId());
        this.registry = new MemoryRegistry(this);
        this.kvStore = new MemoryKvStore(this);
        this.publisher = new MemoryPublisher(this);
        this.subscriber = new MemorySubscriber(this);
        backend.locked(() -> {
            backend.connected.add(this);
        });
    }

    MemoryBackend backend() {
        return backend;
    }

    DriverContext context() {
        return context;
    }

    long sessionId() {
        return sessionId;
    }

    @Override
    public Registry registry() {
        return registry;
    }

    @Override
    public Lock lock(String name) {
        return new MemoryLock(this, name);
    }

    @Override
    public Lock semaphore(String name, int permits) {
        return new MemoryLock(this, "semaphore/" + name, name, permits, false);
    }

    @Override
    public io.cloudportal.spi.CounterCell counter(String name) {
        return new MemoryCounter(this, name);
    }

    @Override
    public io.cloudportal.spi.LatchCell countDownLatch(String name) {
        return new MemoryCountDownLatch(this, name);
    }

    @Override
    public io.cloudportal.spi.BarrierCell barrier(String name) {
        return new MemoryBarrier(this, name);
    }

    @Override
    public io.cloudportal.spi.DoubleBarrierCell doubleBarrier(String name) {
        return new MemoryDoubleBarrier(this, name);
    }

    @Override
    public io.cloudportal.spi.ReadWriteLocks readWriteLock(String name) {
        Lock read = new MemoryLock(this, "rwlock/" + name, name, Integer.MAX_VALUE, false);
        Lock write = new MemoryLock(this, "rwlock/" + name, name, Integer.MAX_VALUE, true);
        return new io.cloudportal.spi.ReadWriteLocks(name, read, write);
    }

    @Override
    public LeaderElection leaderElection(String name) {
        return new MemoryLeaderElection(this, name);
    }

    @Override
    public KvStore kvStore() {
        return kvStore;
    }

    @Override
    public io.cloudportal.spi.DriverPublisher publisher() {
        return publisher;
    }

    @Override
    public io.cloudportal.spi.DriverSubscriber subscriber() {
        return subscriber;
    }

    @Override
    public SessionState sessionState() {
        return session;
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }

    @Override
    public void expireSession() {
        backend.locked(() -> {
            transition(ConnectionState.SUSPENDED);
            long expired = sessionId;
            backend.locks.expire(expired, "the memory session " + expired + " expired");
            backend.elections.expire(expired, true);
            backend.registry.expire(expired);
            backend.doubleBarriers.expire(backend, expired);
            transition(ConnectionState.EXPIRED);
            sessionId = backend.newSessionId();
            registry.restore();
            transition(ConnectionState.RECONNECTED);
        });
    }

    @Override
    public void interruptConnection() {
        backend.locked(() -> {
            transition(ConnectionState.SUSPENDED);
            backend.locks.expire(sessionId, "the connection to memory://" + backend.name + " was suspended");
            backend.elections.expire(sessionId, true);
            transition(ConnectionState.RECONNECTED);
        });
    }

    @Override
    public void restartServer() {
        backend.locked(() -> {
            for (MemoryConnection connection : List.copyOf(backend.connected)) {
                connection.interruptConnection();
            }
        });
    }

    private void transition(ConnectionState next) {
        session.moveTo(next);
    }

    @Override
    public void close() {
        backend.locked(() -> {
            // What a closed ZooKeeper session leaves behind: nothing ephemeral.
            backend.locks.expire(sessionId, "the connection was closed");
            backend.elections.expire(sessionId, false);
            backend.registry.expire(sessionId);
            backend.doubleBarriers.expire(backend, sessionId);
            kvStore.closeWatches();
            backend.connected.remove(this);
            transition(ConnectionState.CLOSED);
        });
        backend.release();
    }
}
