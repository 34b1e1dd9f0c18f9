package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.zeromq.ZeroMqHub;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * Portal's ZeroMQ driver against raw JeroMQ PUB/SUB over tcp loopback, both through a forwarder
 * in the benchmark's JVM: Portal's hub (publishers PUSH to it, subscribers SUB from its XPUB)
 * and, for the raw client, the many-to-many design of the ZeroMQ guide, a PUB connected to
 * JeroMQ's own XSUB/XPUB {@code ZMQ.proxy} and a SUB behind it.
 *
 * <p>One invocation publishes 5,000 messages of 100 bytes on one topic and waits until the
 * subscriber received them all; the batch stays under every high-water mark (10,000), so
 * nothing is dropped and both sides count every message. The raw publisher sends two frames
 * (topic, payload) under a lock, as a socket shared by threads must be; Portal sends three (its
 * envelope carries the sequence number by which drops are counted). {@code rawDirectPubSub}
 * measures raw PUB straight to SUB, without a forwarder, for the cost of the hop.
 */
@State(Scope.Benchmark)
public class ZeroMqBenchmark {

    private static final int BATCH = 5_000;
    private static final int HIGH_WATER_MARK = 10_000;
    private static final byte[] PAYLOAD = new byte[100];
    private static final String TOPIC = "bench";

    private ZeroMqHub hub;
    private Portal publishing;
    private Portal subscribing;
    private Publisher publisher;
    private Subscription subscription;
    private final AtomicInteger portalReceived = new AtomicInteger();
    private volatile CountDownLatch portalDone;

    private ZContext proxyContext;
    private Thread proxy;
    private ZContext rawContext;
    private RawPubSub throughProxy;
    private RawPubSub direct;
    private volatile boolean stopping;

    /** A raw PUB and a SUB with its receive thread; the PUB is shared under a lock, as a socket used by threads must be. */
    private final class RawPubSub {
        final ZMQ.Socket publisher;
        final ReentrantLock lock = new ReentrantLock();
        final byte[] topic = (TOPIC + "\0").getBytes(StandardCharsets.UTF_8);
        final AtomicInteger received = new AtomicInteger();
        volatile CountDownLatch done = new CountDownLatch(1);
        final Thread subscriber;

        RawPubSub(String publishTo, boolean bind, String subscribeTo) throws InterruptedException {
            publisher = rawContext.createSocket(SocketType.PUB);
            publisher.setSndHWM(HIGH_WATER_MARK);
            publisher.setHandshakeIvl(1000);
            if (bind) {
                publisher.bind(publishTo);
            } else {
                publisher.connect(publishTo);
            }
            CountDownLatch connected = new CountDownLatch(1);
            subscriber = new Thread(() -> receive(subscribeTo, connected), "raw-subscriber");
            subscriber.start();
            connected.await(10, TimeUnit.SECONDS);
            // No ready handshake in raw ZeroMQ: publish until one gets through, as a raw application would.
            while (received.get() == 0) {
                send();
                Thread.sleep(10);
            }
        }

        private void receive(String endpoint, CountDownLatch connected) {
            ZMQ.Socket socket = rawContext.createSocket(SocketType.SUB);
            socket.setRcvHWM(HIGH_WATER_MARK);
            socket.setHandshakeIvl(1000);
            socket.setReceiveTimeOut(100);
            socket.subscribe(topic);
            socket.connect(endpoint);
            connected.countDown();
            while (!stopping) {
                if (socket.recv(0) == null) {
                    continue;
                }
                while (socket.hasReceiveMore()) {
                    socket.recv(0);
                }
                if (received.incrementAndGet() == BATCH) {
                    done.countDown();
                }
            }
            socket.close();
        }

        void send() {
            lock.lock();
            try {
                publisher.send(topic, ZMQ.SNDMORE);
                publisher.send(PAYLOAD, 0);
            } finally {
                lock.unlock();
            }
        }

        void batch() throws InterruptedException {
            received.set(0);
            done = new CountDownLatch(1);
            for (int i = 0; i < BATCH; i++) {
                send();
            }
            if (!done.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("raw subscriber got " + received.get() + " of " + BATCH);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Setup(Level.Trial)
    public void start() throws Exception {
        String url = "zeromq://127.0.0.1:" + freePort() + "?subscriberPort=" + freePort();
        hub = ZeroMqHub.start(url);
        publishing = Portal.connect(url);
        subscribing = Portal.connect(url);
        publisher = publishing.publisher();
        subscription = subscribing.subscriber().subscribe(SubscribeOptions.broadcast(TOPIC), delivery -> {
            if (portalReceived.incrementAndGet() == BATCH) {
                portalDone.countDown();
            }
        });

        String frontend = "tcp://127.0.0.1:" + freePort();
        String backend = "tcp://127.0.0.1:" + freePort();
        proxyContext = new ZContext(1);
        ZMQ.Socket xsub = proxyContext.createSocket(SocketType.XSUB);
        xsub.setRcvHWM(HIGH_WATER_MARK);
        xsub.bind(frontend);
        ZMQ.Socket xpub = proxyContext.createSocket(SocketType.XPUB);
        xpub.setSndHWM(HIGH_WATER_MARK);
        xpub.bind(backend);
        proxy = new Thread(() -> {
            try {
                ZMQ.proxy(xsub, xpub, null);
            } catch (RuntimeException e) {
                // the context was closed: the proxy ends
            }
        }, "raw-proxy");
        proxy.setDaemon(true);
        proxy.start();

        rawContext = new ZContext(1);
        throughProxy = new RawPubSub(frontend, false, backend);
        String directEndpoint = "tcp://127.0.0.1:" + freePort();
        direct = new RawPubSub(directEndpoint, true, directEndpoint);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        stopping = true;
        subscription.close();
        publishing.close();
        subscribing.close();
        hub.close();
        throughProxy.subscriber.join(10_000);
        direct.subscriber.join(10_000);
        rawContext.close();
        proxyContext.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void portalPubSub() throws Exception {
        portalReceived.set(0);
        portalDone = new CountDownLatch(1);
        for (int i = 0; i < BATCH; i++) {
            publisher.publish(new Message(TOPIC, null, PAYLOAD, null));
        }
        if (!portalDone.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Portal subscriber got " + portalReceived.get() + " of " + BATCH);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawPubSub() throws Exception {
        throughProxy.batch();
    }

    /** Raw PUB straight to SUB, no forwarder: what the hop through a hub costs (Portal always has one). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawDirectPubSub() throws Exception {
        direct.batch();
    }
}
