package io.cloudportal.etcd;

import io.cloudportal.ConnectionState;
import io.cloudportal.spi.SessionState;
import io.cloudportal.UnavailableException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection's session: one lease that every ephemeral key of the connection (registrations,
 * lock and election keys) is bound to, renewed by Portal itself rather than by jetcd's keep-alive
 * stream, whose silent stops are a known jetcd failure. Every third of the TTL one keep-alive
 * request goes out with a deadline; a sensor watch reports a broken channel at once instead of at
 * the next renewal.
 *
 * <p>States: a failed renewal or a broken channel makes the session SUSPENDED (the lease may
 * expire; holders of locks must stop trusting them); a renewal that succeeds again makes it
 * RECONNECTED; a renewal that etcd answers with "lease not found" makes it EXPIRED, after which a
 * new lease is granted and the session is RECONNECTED on a new {@link Lease generation}.
 * All transitions happen on one thread, in order.
 */
final class EtcdSession implements AutoCloseable {

    /** One lease the session held; a new one after each expiry. */
    record Lease(long id, long generation) {
        String hex() {
            return Long.toHexString(id);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(EtcdSession.class);

    private final Client client;
    private final EtcdSettings settings;
    private final ScheduledExecutorService scheduler;
    private final String connectionId;
    /** The driver's own reactions (locks lost, keys re-put) run before users hear of a change. */
    private final SessionState states;
    private final Duration renewEvery;
    /** Hears each renewal's lag (the connection's observers; they do nothing until one is attached). */
    private final io.cloudportal.observation.PortalObserver observer;
    /** When the next regular renewal is due; a retry after a failed one keeps it, so the lag shows the outage. Session thread. */
    private long renewalDueAt;
    private volatile Lease lease;
    /** System.nanoTime() until which etcd keeps the lease at the least: the last confirmed renewal's send time plus its TTL. */
    private volatile long validUntil;
    private volatile boolean closed;
    private ScheduledFuture<?> nextRenewal;
    private Watch.Watcher sensor;

    private EtcdSession(Client client, EtcdSettings settings, ScheduledExecutorService scheduler, String connectionId, Lease lease,
                        io.cloudportal.observation.PortalObserver observer) {
        this.observer = observer;
        this.client = client;
        this.settings = settings;
        this.scheduler = scheduler;
        this.connectionId = connectionId;
        this.states = new SessionState("the etcd session of " + connectionId);
        this.lease = lease;
        this.renewEvery = settings.leaseTtl().dividedBy(3);
    }

    /** Grants the first lease within the connect timeout: this is also the proof that etcd answers. */
    static EtcdSession open(Client client, EtcdSettings settings, ScheduledExecutorService scheduler, String connectionId,
                            String url, io.cloudportal.observation.PortalObserver observer) {
        long id;
        long sent = System.nanoTime();
        long ttl;
        try {
            var granted = client.getLeaseClient().grant(settings.leaseTtlSeconds())
                    .get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            id = granted.getID();
            ttl = granted.getTTL();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while connecting to etcd at " + url, e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new UnavailableException("cannot reach etcd at " + url + " within " + settings.connectTimeout()
                    + " (option connectTimeout)", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw EtcdErrors.map("connecting to etcd at " + url, e.getCause());
        }
        EtcdSession session = new EtcdSession(client, settings, scheduler, connectionId, new Lease(id, 1), observer);
        session.validUntil = sent + TimeUnit.SECONDS.toNanos(ttl);
        session.startSensor();
        session.scheduleNextRenewal();
        return session;
    }

    Lease lease() {
        return lease;
    }

    /**
     * Until when etcd keeps a lease at the least, on this JVM's monotonic clock; for a lease the
     * session no longer holds, now (it is gone).
     */
    long validUntil(Lease of) {
        return of.equals(lease) ? validUntil : System.nanoTime();
    }

    boolean isClosed() {
        return closed;
    }

    ConnectionState state() {
        return states.current();
    }

    /** True while the lease is known to be alive: not suspended, not expired, not closed. */
    boolean isLive() {
        ConnectionState now = states.current();
        return now == ConnectionState.CONNECTED || now == ConnectionState.RECONNECTED;
    }

    /** Adds a reaction of the driver itself; it runs on the session thread, so it must not block. */
    AutoCloseable onState(Consumer<ConnectionState> reaction) {
        return states.react(reaction);
    }

    /** The state machine itself, which the portable layer reads and adds users' listeners to. */
    SessionState states() {
        return states;
    }

    /** A renewal after a lease's grant or renewal, due a third of the TTL later: the start of its lag. */
    private void scheduleNextRenewal() {
        renewalDueAt = System.nanoTime() + renewEvery.toNanos();
        scheduleRenewal(renewEvery);
    }

    private synchronized void scheduleRenewal(Duration delay) {
        if (closed) {
            return;
        }
        if (nextRenewal != null) {
            nextRenewal.cancel(false);
        }
        nextRenewal = scheduler.schedule(this::renew, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One keep-alive request with a deadline; runs on the session thread only. */
    private void renew() {
        if (closed) {
            return;
        }
        Lease current = lease;
        long sent = System.nanoTime();
        try {
            long ttl = client.getLeaseClient().keepAliveOnce(current.id()).get(renewEvery.toMillis(), TimeUnit.MILLISECONDS).getTTL();
            if (ttl > 0 && current.equals(lease)) {
                validUntil = sent + TimeUnit.SECONDS.toNanos(ttl);
            }
            if (states.current() == ConnectionState.SUSPENDED) {
                transition(ConnectionState.RECONNECTED);
            }
            observer.leaseRenewed("etcd", Duration.ofNanos(Math.max(0, System.nanoTime() - renewalDueAt)));
            scheduleNextRenewal();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            if (cause instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
                expired(current);
            } else {
                LOG.debug("{}: renewing lease {} failed: {}", connectionId, current.hex(), cause.toString());
                if (states.current() != ConnectionState.SUSPENDED && states.current() != ConnectionState.EXPIRED) {
                    transition(ConnectionState.SUSPENDED);
                }
                // Retry soon: the sooner a restored channel is noticed, the sooner holders can act again.
                scheduleRenewal(Duration.ofMillis(Math.min(250, renewEvery.toMillis())));
            }
        }
    }

    private void expired(Lease old) {
        if (states.current() != ConnectionState.EXPIRED) {
            LOG.warn("{}: lease {} expired; granting a new one", connectionId, old.hex());
            transition(ConnectionState.EXPIRED);
        }
        try {
            long sent = System.nanoTime();
            var granted = client.getLeaseClient().grant(settings.leaseTtlSeconds()).get(renewEvery.toMillis(), TimeUnit.MILLISECONDS);
            validUntil = sent + TimeUnit.SECONDS.toNanos(granted.getTTL());
            lease = new Lease(granted.getID(), old.generation() + 1);
            transition(ConnectionState.RECONNECTED);
            scheduleNextRenewal();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("{}: granting a new lease failed: {}", connectionId, e.toString());
            scheduleRenewal(Duration.ofMillis(Math.min(250, renewEvery.toMillis())));
        }
    }

    /**
     * A watch on a key nobody writes, whose stream breaks with the channel: its error is the first
     * sign of a lost server, seconds before a renewal would miss. When jetcd re-creates it, the
     * lease is checked at once.
     */
    private void startSensor() {
        ByteSequence key = ByteSequence.from(settings.root() + "/.portal/session-sensor", StandardCharsets.UTF_8);
        sensor = client.getWatchClient().watch(key, WatchOption.builder().withCreateNotify(true).build(), new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                if (!closed && states.current() == ConnectionState.SUSPENDED) {
                    scheduleRenewal(Duration.ZERO);
                }
            }

            @Override
            public void onError(Throwable error) {
                if (error instanceof io.etcd.jetcd.common.exception.CompactedException) {
                    // jetcd resumed the sensor from a revision since compacted: not a broken channel.
                    return;
                }
                if (!closed) {
                    scheduler.execute(() -> {
                        if (!closed && isLive()) {
                            LOG.debug("{}: the channel to etcd broke: {}", connectionId, error.toString());
                            transition(ConnectionState.SUSPENDED);
                            scheduleRenewal(Duration.ofMillis(Math.min(250, renewEvery.toMillis())));
                        }
                    });
                }
            }

            @Override
            public void onCompleted() {
                if (!closed) {
                    // jetcd gave up on the sensor (a halt error); start another so breaks stay visible.
                    scheduler.schedule(EtcdSession.this::startSensor, 500, TimeUnit.MILLISECONDS);
                }
            }
        });
    }

    private void transition(ConnectionState next) {
        if (states.moveTo(next)) {
            LOG.debug("{} is {} (lease {})", connectionId, next, lease.hex());
        }
    }

    /** Stops renewing and revokes the lease, so this connection's keys go at once rather than after the TTL. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (nextRenewal != null) {
                nextRenewal.cancel(false);
            }
        }
        if (sensor != null) {
            sensor.close();
        }
        try {
            client.getLeaseClient().revoke(lease.id()).get(Math.min(renewEvery.toMillis(), 2000), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("{}: revoking lease {} failed; etcd removes its keys when the TTL ends", connectionId, lease.hex(), e);
        }
        states.close();
    }
}
