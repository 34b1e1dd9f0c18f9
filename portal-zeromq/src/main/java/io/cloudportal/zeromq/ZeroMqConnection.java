package io.cloudportal.zeromq;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.ClosedException;
import io.cloudportal.UnavailableException;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.SessionState;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * One ZeroMQ connection: a context (shared by the JVM's inproc connections), the hub when this
 * connection runs it, a publisher socket made on first use and one socket per subscription.
 * ZeroMQ reconnects on its own and has no session; the state says whether the hub's heartbeat
 * arrives, listened for by a probe socket (SUSPENDED after {@code heartbeatTimeout} of silence,
 * RECONNECTED when it comes back).
 */
final class ZeroMqConnection implements DriverConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ZeroMqConnection.class);
    static final int POLL_MILLIS = 100;
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CURVE_HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);

    private final ZeroMqSettings settings;
    private final DriverContext context;
    private final ZContext zmq;
    private final ZeroMqHub hub;
    private final Counters counters = new Counters();
    private final ZeroMqSubscriber subscriber = new ZeroMqSubscriber(this);
    /** Made on first use: a PUSH socket to the hub, shared by every publisher handle. */
    private ZeroMqPublisher publisher;
    /** Counted down by the first heartbeat, or by the hub refusing this client's CURVE key ({@link #refusal}). */
    private final CountDownLatch firstHeartbeat = new CountDownLatch(1);
    private volatile String refusal;
    private final CountDownLatch probeStopped = new CountDownLatch(1);
    private final Thread probe;
    private final SessionState session;
    private volatile boolean closed;

    private ZeroMqConnection(ZeroMqSettings settings, DriverContext context, ZContext zmq, ZeroMqHub hub) {
        this.settings = settings;
        this.context = context;
        this.zmq = zmq;
        this.hub = hub;
        this.session = new SessionState("the ZeroMQ connection " + context.connectionId());
        this.probe = context.threadFactory("zeromq-probe").newThread(this::listenForHeartbeats);
    }

    static ZeroMqConnection open(ZeroMqSettings settings, DriverContext context) {
        ZContext zmq;
        ZeroMqHub hub = null;
        if (settings.inproc()) {
            zmq = InprocHubs.acquire(settings);
        } else {
            if (settings.bind()) {
                hub = ZeroMqHub.start(settings, new ZContext(1), true, "portal-" + context.connectionId() + "-zeromq-hub");
            }
            zmq = new ZContext(1);
        }
        ZeroMqConnection connection = new ZeroMqConnection(settings, context, zmq, hub);
        connection.probe.start();
        try {
            boolean answered = connection.firstHeartbeat.await(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (connection.refusal != null) {
                connection.close();
                throw new AccessDeniedException("the ZeroMQ " + settings.hubDescription() + " refused this client's CURVE key ("
                        + connection.refusal + "): the hub admits only the public keys in its 'curveClients'");
            }
            if (!answered) {
                connection.close();
                throw new UnavailableException("no Portal ZeroMQ hub answered at " + settings.subscriberEndpoint() + " within "
                        + settings.connectTimeout() + " (option 'connectTimeout'): start one with ZeroMqHub, or let one connection run it"
                        + " with ?bind=true" + (settings.curve().isPresent() ? "; with CURVE, check that 'curveServerKey' is the hub's"
                        + " public key and that the hub admits this client's key" : ""));
            }
        } catch (InterruptedException e) {
            connection.close();
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while connecting to the ZeroMQ " + settings.hubDescription(), e);
        }
        LOG.debug("Connected to the ZeroMQ {} ({})", settings.hubDescription(), settings);
        return connection;
    }

    /** Makes a socket with this connection's security and liveness settings; the caller's thread owns it from then on. */
    ZMQ.Socket socket(SocketType type) {
        if (closed) {
            throw new ClosedException("the ZeroMQ connection is closed");
        }
        ZMQ.Socket socket = zmq.createSocket(type);
        settings.curve().ifPresent(curve -> {
            socket.setCurveServerKey(curve.serverKey());
            socket.setCurvePublicKey(curve.publicKey());
            socket.setCurveSecretKey(curve.secretKey());
        });
        if (!settings.inproc()) {
            // ZMTP heartbeats notice a hub that vanished without closing the TCP connection, so ZeroMQ reconnects. Generous:
            // a connection dropped on a busy machine loses what its socket buffers held (3 s lost 936 messages under load).
            socket.setHeartbeatIvl(2000);
            socket.setHeartbeatTimeout(10_000);
            // JeroMQ 0.6.0 sometimes leaves a fresh outgoing TCP connection without its ZMTP handshake (zeromq/jeromq#1022,
            // 1-6% of connects here); a short handshake bound tears such a connection down and dials again.
            socket.setHandshakeIvl((int) handshakeTimeout().toMillis());
            socket.setReconnectIVL(100);
            socket.setReconnectIVLMax(1000);
        }
        return socket;
    }

    private Duration handshakeTimeout() {
        return settings.curve().isPresent() ? CURVE_HANDSHAKE_TIMEOUT : HANDSHAKE_TIMEOUT;
    }

    /** Closes a socket with its own linger (the context's would be 0, dropping what a publisher still queues). */
    void destroy(ZMQ.Socket socket) {
        socket.close();
    }

    private void listenForHeartbeats() {
        ZMQ.Socket socket = socket(SocketType.SUB);
        ZMQ.Socket refusals = settings.curve().isPresent() && !settings.inproc() ? refusalMonitor(socket) : null;
        try {
            socket.setLinger(0);
            socket.setReceiveTimeOut(POLL_MILLIS);
            socket.subscribe(Frames.HEARTBEAT);
            socket.connect(settings.subscriberEndpoint());
            long lastHeartbeat = System.nanoTime();
            while (!closed) {
                byte[] frame = socket.recv(0);
                long now = System.nanoTime();
                if (frame != null) {
                    while (socket.hasReceiveMore()) {
                        socket.recv(0);
                    }
                    lastHeartbeat = now;
                    firstHeartbeat.countDown();
                    session.probed(true, "the ZeroMQ " + settings.hubDescription() + " answers again");
                } else if (firstHeartbeat.getCount() == 0 && now - lastHeartbeat > settings.heartbeatTimeout().toNanos()) {
                    session.probed(false, "the ZeroMQ " + settings.hubDescription() + " has sent no heartbeat for "
                            + settings.heartbeatTimeout() + "; ZeroMQ keeps reconnecting, and messages meanwhile are lost (subscriptions"
                            + " count them)");
                }
                if (refusals != null && firstHeartbeat.getCount() > 0) {
                    ZMQ.Event refused = ZMQ.Event.recv(refusals, ZMQ.DONTWAIT);
                    if (refused != null) {
                        refusal = "ZAP status " + refused.getValue();
                        firstHeartbeat.countDown();
                    }
                }
            }
        } catch (ZMQException | IllegalStateException e) {
            if (!closed) {
                LOG.error("ZeroMQ heartbeat probe stopped: {}", e.toString(), e);
            }
        } finally {
            destroy(socket);
            if (refusals != null) {
                destroy(refusals);
            }
            probeStopped.countDown();
        }
    }

    /**
     * Reports the hub's ZAP refusal of this client's key, which ZMTP 3.1 sends in an ERROR command:
     * without it a refused client could not tell a hub that refuses it from one that is not there.
     */
    private ZMQ.Socket refusalMonitor(ZMQ.Socket probe) {
        String endpoint = "inproc://portal-" + context.connectionId() + "-curve-refusals";
        probe.monitor(endpoint, ZMQ.HANDSHAKE_FAILED_AUTH);
        ZMQ.Socket refusals = zmq.createSocket(SocketType.PAIR);
        refusals.setLinger(0);
        refusals.connect(endpoint);
        return refusals;
    }

    ZeroMqSettings settings() {
        return settings;
    }

    DriverContext context() {
        return context;
    }

    Counters counters() {
        return counters;
    }

    @Override
    public synchronized DriverPublisher publisher() {
        if (publisher == null) {
            publisher = ZeroMqPublisher.open(this);
        }
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
        if (type == ZeroMqMetrics.class) {
            return Optional.of(type.cast(counters));
        }
        if (type == ZeroMqHub.class && hub != null) {
            return Optional.of(type.cast(hub));
        }
        return Optional.empty();
    }

    /** Closes after the portable layer closed the publisher and subscriptions, which drained their sockets. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        session.close();
        ZeroMqPublisher toClose;
        synchronized (this) {
            toClose = publisher;
        }
        if (toClose != null) {
            toClose.close();
        }
        try {
            if (probe.isAlive() && !probeStopped.await(POLL_MILLIS * 20L, TimeUnit.MILLISECONDS)) {
                LOG.warn("ZeroMQ heartbeat probe did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (settings.inproc()) {
            InprocHubs.release(settings);
        } else {
            zmq.close();
            if (hub != null) {
                hub.close();
            }
        }
    }

    /** The connection's counters, shared by its publisher and subscriptions. */
    static final class Counters implements ZeroMqMetrics {
        final LongAdder published = new LongAdder();
        final LongAdder received = new LongAdder();
        final LongAdder handlerFailures = new LongAdder();
        private final Map<String, LongAdder> droppedByTopic = new ConcurrentHashMap<>();

        LongAdder droppedOn(String topic) {
            return droppedByTopic.computeIfAbsent(topic, t -> new LongAdder());
        }

        @Override
        public long published() {
            return published.sum();
        }

        @Override
        public long received() {
            return received.sum();
        }

        @Override
        public long dropped() {
            return droppedByTopic.values().stream().mapToLong(LongAdder::sum).sum();
        }

        @Override
        public long dropped(String topic) {
            LongAdder counter = droppedByTopic.get(topic);
            return counter == null ? 0 : counter.sum();
        }

        @Override
        public long handlerFailures() {
            return handlerFailures.sum();
        }

        @Override
        public String toString() {
            return "ZeroMqMetrics[published=" + published() + ", received=" + received() + ", dropped=" + dropped()
                    + ", handlerFailures=" + handlerFailures() + "]";
        }
    }
}
