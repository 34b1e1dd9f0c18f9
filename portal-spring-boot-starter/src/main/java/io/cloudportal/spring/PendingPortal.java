package io.cloudportal.spring;

import io.cloudportal.Capabilities;
import io.cloudportal.ClosedException;
import io.cloudportal.ConfigurationException;
import io.cloudportal.ConnectionState;
import io.cloudportal.ConnectionStateListener;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import io.cloudportal.Watch;
import io.cloudportal.coordination.Barrier;
import io.cloudportal.coordination.CountDownLatch;
import io.cloudportal.coordination.Counter;
import io.cloudportal.coordination.DoubleBarrier;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.lock.ReadWriteLock;
import io.cloudportal.lock.Semaphore;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.observation.PortalObserver;
import io.cloudportal.registry.Registry;
import io.cloudportal.spi.NamedThreads;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection whose backend could not be reached at startup, with {@code portal.fail-fast=false}:
 * the application starts, and this keeps opening the connection in the background (after 1 s,
 * then twice as long each time, up to 30 s) until it opens, then delegates to it. Until then its
 * state is SUSPENDED, every facility call throws an {@link UnavailableException} naming the
 * property and the last failure, and what needs the connection (listeners, candidates, state
 * listeners, observers, the registration) waits for it.
 */
final class PendingPortal implements Portal {

    private static final Logger LOG = LoggerFactory.getLogger(PendingPortal.class);
    private static final long FIRST_RETRY_MILLIS = 1_000;
    private static final long LAST_RETRY_MILLIS = 30_000;

    private final String property;
    private final String driverName;
    private final Supplier<Portal> connect;
    private final ScheduledExecutorService retries;
    /** Attached to the connection once it opens; guarded by {@code this}. */
    private final List<Deferred> waiting = new CopyOnWriteArrayList<>();
    private volatile Portal portal;
    private volatile String failure;
    private volatile boolean closed;
    private long retryMillis = FIRST_RETRY_MILLIS;

    PendingPortal(String property, String url, Supplier<Portal> connect, PortalException firstFailure) {
        this.property = property;
        int scheme = url.indexOf("://");
        this.driverName = scheme > 0 ? url.substring(0, scheme) : url;
        this.connect = connect;
        this.failure = firstFailure.getMessage();
        this.retries = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("portal-connect-" + property));
        retries.schedule(this::tryToOpen, retryMillis, TimeUnit.MILLISECONDS);
    }

    private void tryToOpen() {
        if (closed) {
            return;
        }
        Portal opened;
        try {
            opened = connect.get();
        } catch (ConfigurationException e) {
            // Cannot happen for a URL that was used once, unless a driver changed its mind: say so, stop trying.
            failure = e.getMessage();
            LOG.error("The Portal connection of {} cannot be opened: {}; no more attempts", property, e.getMessage());
            return;
        } catch (PortalException e) {
            failure = e.getMessage();
            LOG.warn("The Portal connection of {} is still not open: {}; trying again in {} ms", property, e.getMessage(), retryMillis);
            retries.schedule(this::tryToOpen, retryMillis, TimeUnit.MILLISECONDS);
            retryMillis = Math.min(retryMillis * 2, LAST_RETRY_MILLIS);
            return;
        }
        List<Deferred> attach;
        synchronized (this) {
            if (closed) {
                opened.close();
                return;
            }
            portal = opened;
            failure = null;
            attach = List.copyOf(waiting);
            waiting.clear();
        }
        LOG.info("Portal connection {} ({}) opened from {} after the application started", opened, opened.driverName(), property);
        attach.forEach(deferred -> deferred.attach(this));
        retries.shutdown();
    }

    /** Why the connection is not open yet, or empty once it is. */
    Optional<String> notOpenYet() {
        return portal == null && !closed ? Optional.of(String.valueOf(failure)) : Optional.empty();
    }

    /**
     * Runs an action with this connection once it is open (on the thread that opened it), or now if
     * it is; the handle cancels it if it has not run, and closes what it returned if it has.
     */
    Watch whenOpen(Function<Portal, ? extends AutoCloseable> action) {
        Deferred deferred = new Deferred(action);
        synchronized (this) {
            if (portal == null) {
                if (closed) {
                    return () -> { };
                }
                waiting.add(deferred);
                return deferred;
            }
        }
        deferred.attach(this);
        return deferred;
    }

    private Portal open() {
        Portal now = portal;
        if (now != null) {
            return now;
        }
        if (closed) {
            throw new ClosedException("the Portal connection of " + property + " is closed");
        }
        throw new UnavailableException("the Portal connection of " + property + " is not open yet (portal.fail-fast=false: "
                + "the application started without it and it is retried in the background); last failure: " + failure);
    }

    @Override
    public String driverName() {
        Portal now = portal;
        return now != null ? now.driverName() : driverName;
    }

    @Override
    public Capabilities capabilities() {
        return open().capabilities();
    }

    @Override
    public Registry registry() {
        return open().registry();
    }

    @Override
    public Lock lock(String name) {
        return open().lock(name);
    }

    @Override
    public Semaphore semaphore(String name, int permits) {
        return open().semaphore(name, permits);
    }

    @Override
    public ReadWriteLock readWriteLock(String name) {
        return open().readWriteLock(name);
    }

    @Override
    public Counter counter(String name) {
        return open().counter(name);
    }

    @Override
    public CountDownLatch countDownLatch(String name) {
        return open().countDownLatch(name);
    }

    @Override
    public Barrier barrier(String name) {
        return open().barrier(name);
    }

    @Override
    public DoubleBarrier doubleBarrier(String name, int members) {
        return open().doubleBarrier(name, members);
    }

    @Override
    public LeaderElection leaderElection(String name) {
        return open().leaderElection(name);
    }

    @Override
    public KvStore kvStore() {
        return open().kvStore();
    }

    @Override
    public Publisher publisher() {
        return open().publisher();
    }

    @Override
    public Subscriber subscriber() {
        return open().subscriber();
    }

    /** SUSPENDED until the connection opens (it is not usable, and may come), then the connection's. */
    @Override
    public ConnectionState state() {
        Portal now = portal;
        if (now != null) {
            return now.state();
        }
        return closed ? ConnectionState.CLOSED : ConnectionState.SUSPENDED;
    }

    /** A listener added before the connection opened hears the state it opens in, then every transition. */
    @Override
    public Watch onStateChange(ConnectionStateListener listener) {
        return whenOpen(open -> {
            Watch watch = portal.onStateChange(listener);
            listener.stateChanged(portal.state());
            return watch;
        });
    }

    @Override
    public Watch observe(PortalObserver observer) {
        return whenOpen(open -> portal.observe(observer));
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        Portal now = portal;
        return now != null ? now.unwrap(type) : Optional.empty();
    }

    @Override
    public void close() {
        Portal now;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            now = portal;
            waiting.clear();
        }
        retries.shutdownNow();
        if (now != null) {
            now.close();
        }
    }

    @Override
    public String toString() {
        Portal now = portal;
        return now != null ? now.toString() : "PendingPortal[" + property + ", " + driverName + ", not open yet]";
    }

    /** An action waiting for the connection, and what it made once it ran. */
    private final class Deferred implements Watch {
        private final Function<Portal, ? extends AutoCloseable> action;
        private AutoCloseable made;
        private boolean cancelled;

        Deferred(Function<Portal, ? extends AutoCloseable> action) {
            this.action = action;
        }

        synchronized void attach(Portal open) {
            if (cancelled) {
                return;
            }
            try {
                made = action.apply(open);
            } catch (RuntimeException e) {
                LOG.warn("An action waiting for the Portal connection of {} failed when it opened: {}", property, e.toString(), e);
            }
        }

        @Override
        public synchronized void close() {
            cancelled = true;
            waiting.remove(this);
            if (made != null) {
                try {
                    made.close();
                } catch (Exception e) {
                    LOG.debug("Closing what waited for the Portal connection of {} failed", property, e);
                }
            }
        }
    }
}
