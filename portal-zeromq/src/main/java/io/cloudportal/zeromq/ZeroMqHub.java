package io.cloudportal.zeromq;

import io.cloudportal.ConfigurationException;
import io.cloudportal.UnavailableException;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalUrl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;
import zmq.Msg;
import zmq.SocketBase;

/**
 * The meeting point of Portal's ZeroMQ publishers and subscribers: a PULL socket publishers
 * PUSH to, an XPUB socket subscribers receive from, and one thread forwarding between them.
 * Publishers push rather than publish, so they need no subscription to flow upstream before their
 * first message counts (a late PUB joining an XSUB misses its first messages, and JeroMQ's XSUB
 * does not always replay subscriptions to it) and a full queue makes them wait rather than drop.
 * The hub answers each subscriber's "ready?" once that subscriber's subscriptions are in place
 * (which closes ZeroMQ's slow-joiner gap), and sends a heartbeat by which every connection tells
 * that the hub is there. A subscriber too slow for the hub's high-water mark
 * loses messages at the hub rather than stalling the others; its subscription counts them.
 *
 * <p>Run one where publishers and subscribers can reach it:
 * <pre>{@code
 * try (ZeroMqHub hub = ZeroMqHub.start("zeromq://0.0.0.0:5555")) { ... }   // publishers: 5555, subscribers: 5556
 * }</pre>
 * or from the command line, {@code java -cp … io.cloudportal.zeromq.ZeroMqHub zeromq://0.0.0.0:5555},
 * or let one application's connection run it with {@code ?bind=true}. An inproc hub
 * ({@code zeromq+inproc://name}) starts with its first connection in the JVM.
 *
 * <p>Options in the URL: {@code subscriberPort} (the port + 1), {@code sendHighWaterMark} and
 * {@code receiveHighWaterMark} (10,000 messages per peer), and for CURVE {@code curvePublicKey},
 * {@code curveSecretKey} (the hub's key pair) and {@code curveClients} (the client public keys it
 * admits; any client that knows the hub's public key when absent).
 */
public final class ZeroMqHub implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ZeroMqHub.class);

    /** How often the hub tells its connections it is there. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofMillis(250);
    private static final Set<String> HUB_OPTIONS = Set.of("subscriberPort", "sendHighWaterMark", "receiveHighWaterMark",
            "curvePublicKey", "curveSecretKey", "curveClients");
    private static final String ZAP_ENDPOINT = "inproc://zeromq.zap.01";
    /** Messages forwarded before the hub looks at subscriptions and heartbeats again. */
    private static final int FORWARD_BATCH = 4096;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final ZeroMqSettings settings;
    private final ZContext context;
    private final boolean ownsContext;
    private final ZMQ.Socket inbound;
    private final ZMQ.Socket outbound;
    private final ZMQ.Socket zap;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private volatile long forwarded;
    private volatile long refusedClients;

    private ZeroMqHub(ZeroMqSettings settings, ZContext context, boolean ownsContext, String threadName) {
        this.settings = settings;
        this.context = context;
        this.ownsContext = ownsContext;
        try {
            zap = settings.curve().filter(curve -> !curve.allowedClients().isEmpty()).map(curve -> {
                ZMQ.Socket socket = context.createSocket(SocketType.REP);
                socket.bind(ZAP_ENDPOINT);
                return socket;
            }).orElse(null);
            inbound = context.createSocket(SocketType.PULL);
            inbound.setRcvHWM(settings.receiveHighWaterMark());
            outbound = context.createSocket(SocketType.XPUB);
            outbound.setSndHWM(settings.sendHighWaterMark());
            outbound.setLinger(0);
            inbound.setLinger(0);
            for (ZMQ.Socket socket : new ZMQ.Socket[] {inbound, outbound}) {
                settings.curve().ifPresent(curve -> {
                    socket.setZAPDomain("portal");
                    socket.setCurveServer(true);
                    socket.setCurveSecretKey(curve.secretKey());
                });
                if (!settings.inproc()) {
                    socket.setHeartbeatIvl(2000);
                    socket.setHeartbeatTimeout(10_000);
                }
            }
            bind(inbound, settings.publisherBindEndpoint());
            bind(outbound, settings.subscriberBindEndpoint());
        } catch (RuntimeException e) {
            if (ownsContext) {
                context.close();
            }
            throw e;
        }
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
        LOG.info("ZeroMQ hub running: publishers send to {}, subscribers receive from {}{}", settings.publisherBindEndpoint(),
                settings.subscriberBindEndpoint(), settings.curve().isPresent() ? " (CURVE)" : "");
    }

    private void bind(ZMQ.Socket socket, String endpoint) {
        try {
            socket.bind(endpoint);
        } catch (ZMQException e) {
            throw new UnavailableException("the ZeroMQ hub cannot bind " + endpoint + ": " + e.getMessage()
                    + " (is another hub or program using that port?)", e);
        }
    }

    /**
     * Starts a hub listening where a URL says, e.g. {@code zeromq://0.0.0.0:5555}.
     *
     * @param url {@code zeromq://host:port} with the options listed in the class description
     * @return the running hub
     * @throws ConfigurationException if the URL or an option is malformed
     * @throws UnavailableException if a port cannot be bound
     */
    public static ZeroMqHub start(String url) {
        return start(url, Map.of());
    }

    /**
     * Starts a hub with options given apart from the URL (where CURVE keys belong: Z85 uses
     * characters a URL would need escaped), e.g. {@code start("zeromq://0.0.0.0:5555", Map.of("curveSecretKey", key, …))}.
     *
     * @param url {@code zeromq://host:port}
     * @param options options, which win over the URL's
     * @return the running hub
     * @throws ConfigurationException if the URL or an option is malformed
     * @throws UnavailableException if a port cannot be bound
     */
    public static ZeroMqHub start(String url, Map<String, String> options) {
        PortalUrl parsed = PortalUrl.parse(url);
        if (!parsed.scheme().equals(ZeroMqSettings.TCP_SCHEME)) {
            throw new ConfigurationException("a ZeroMQ hub URL is zeromq://host:port, not " + parsed
                    + " (an inproc hub starts with its first connection)");
        }
        Map<String, String> merged = new HashMap<>(parsed.queryOptions());
        merged.putAll(options);
        for (String option : merged.keySet()) {
            if (!HUB_OPTIONS.contains(option)) {
                throw new ConfigurationException("unknown hub option '" + option + "'; a hub accepts " + new TreeSet<>(HUB_OPTIONS));
            }
        }
        merged.put("bind", "true");
        ZeroMqSettings settings = ZeroMqSettings.from(parsed, new Options(merged));
        return start(settings, new ZContext(1), true, "portal-zeromq-hub-" + settings.publisherPort());
    }

    static ZeroMqHub start(ZeroMqSettings settings, ZContext context, boolean ownsContext, String threadName) {
        return new ZeroMqHub(settings, context, ownsContext, threadName);
    }

    /**
     * Runs a hub until the process ends.
     *
     * @param args one argument, the hub URL, e.g. {@code zeromq://0.0.0.0:5555}
     * @throws InterruptedException if interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ZeroMqHub zeromq://host:port[?subscriberPort=…&curvePublicKey=…&curveSecretKey=…]");
        }
        ZeroMqHub hub = start(args[0]);
        Runtime.getRuntime().addShutdownHook(new Thread(hub::close, "portal-zeromq-hub-stop"));
        hub.stopped.await();
    }

    /**
     * Where publishers send.
     *
     * @return the bound endpoint, e.g. {@code tcp://127.0.0.1:5555}
     */
    public String publisherEndpoint() {
        return settings.publisherBindEndpoint();
    }

    /**
     * Where subscribers receive from.
     *
     * @return the bound endpoint, e.g. {@code tcp://127.0.0.1:5556}
     */
    public String subscriberEndpoint() {
        return settings.subscriberBindEndpoint();
    }

    /**
     * Messages forwarded so far.
     *
     * @return the count
     */
    public long forwarded() {
        return forwarded;
    }

    /**
     * CURVE clients refused because their public key is not among {@code curveClients}.
     *
     * @return the count
     */
    public long refusedClients() {
        return refusedClients;
    }

    private void run() {
        ZMQ.Poller poller = context.createPoller(3);
        poller.register(inbound, ZMQ.Poller.POLLIN);
        poller.register(outbound, ZMQ.Poller.POLLIN);
        if (zap != null) {
            poller.register(zap, ZMQ.Poller.POLLIN);
        }
        SocketBase in = inbound.base();
        SocketBase out = outbound.base();
        long nextHeartbeat = 0;
        try {
            while (!stopping) {
                long now = System.nanoTime();
                if (now - nextHeartbeat >= 0) {
                    outbound.send(Frames.HEARTBEAT, ZMQ.DONTWAIT);
                    nextHeartbeat = now + HEARTBEAT_INTERVAL.toNanos();
                }
                boolean busy = forward(in, out);
                // Every socket call may take a socket's pending commands (a new pipe, a subscription) without its
                // descriptor signalling again, so the hub looks at each socket on every round and polls only to sleep.
                answerSubscriptions();
                if (zap != null) {
                    authenticate();
                }
                if (!busy) {
                    poller.poll(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(nextHeartbeat - System.nanoTime()), 100)));
                }
            }
        } catch (ZMQException | IllegalStateException e) {
            if (!stopping) {
                LOG.error("ZeroMQ hub stopped forwarding: {}", e.toString(), e);
            }
        } finally {
            poller.close();
            context.destroySocket(inbound);
            context.destroySocket(outbound);
            if (zap != null) {
                context.destroySocket(zap);
            }
            stopped.countDown();
        }
    }

    /** Forwards a batch; true if the batch was full, so more may be waiting. */
    private boolean forward(SocketBase in, SocketBase out) {
        int count = 0;
        for (int i = 0; i < FORWARD_BATCH; i++) {
            Msg part = in.recv(ZMQ.DONTWAIT);
            if (part == null) {
                break;
            }
            boolean more = part.hasMore();
            out.send(part, more ? ZMQ.SNDMORE : 0);
            while (more) {
                part = in.recv(0);
                more = part.hasMore();
                out.send(part, more ? ZMQ.SNDMORE : 0);
            }
            count++;
        }
        forwarded += count;
        return count == FORWARD_BATCH;
    }

    private void answerSubscriptions() {
        byte[] subscription;
        while ((subscription = outbound.recv(ZMQ.DONTWAIT)) != null) {
            if (Frames.isReadyRequest(subscription)) {
                // Subscriptions of one pipe arrive in order: the topics this subscriber asked for before are in place now.
                outbound.send(Arrays.copyOfRange(subscription, 1, subscription.length), ZMQ.DONTWAIT);
            }
        }
    }

    /** One ZAP request (RFC 27): admit a CURVE client only if its public key is listed. */
    private void authenticate() {
        byte[] first = zap.recv(ZMQ.DONTWAIT);
        if (first == null) {
            return;
        }
        byte[][] request = new byte[7][];
        request[0] = first;
        int parts = 1;
        while (zap.hasReceiveMore()) {
            byte[] part = zap.recv(0);
            if (parts < request.length) {
                request[parts] = part;
            }
            parts++;
        }
        String mechanism = parts > 5 && request[5] != null ? new String(request[5], StandardCharsets.US_ASCII) : "";
        boolean allowed = mechanism.equals("CURVE") && parts > 6 && request[6] != null && request[6].length == 32
                && settings.curve().orElseThrow().allowedClients().contains(ZMQ.Curve.z85Encode(request[6]));
        if (!allowed) {
            refusedClients++;
            LOG.warn("ZeroMQ hub refused a {} client from {}: its public key is not in 'curveClients'", mechanism,
                    parts > 3 && request[3] != null ? new String(request[3], StandardCharsets.UTF_8) : "?");
        }
        zap.sendMore("1.0");
        zap.sendMore(request[1] == null ? new byte[0] : request[1]);
        zap.sendMore(allowed ? "200" : "400");
        zap.sendMore(allowed ? "OK" : "client key not admitted");
        zap.sendMore("");
        zap.send(new byte[0], 0);
    }

    /** Stops forwarding and unbinds both ports. Idempotent. */
    @Override
    public void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            if (!stopped.await(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("ZeroMQ hub thread did not stop within {}", STOP_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsContext) {
            context.close();
        }
        LOG.info("ZeroMQ hub stopped ({} messages forwarded)", forwarded);
    }

    @Override
    public String toString() {
        return "ZeroMqHub[" + settings.hubDescription() + (stopping ? ", stopped" : "") + "]";
    }
}
