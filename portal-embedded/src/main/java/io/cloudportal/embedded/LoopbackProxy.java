package io.cloudportal.embedded;

import io.cloudportal.spi.NamedThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP proxy on 127.0.0.1 between clients and a server, for fault tests: it can pass traffic,
 * cut every connection (clients see a reset and new connections are refused at once), or
 * black-hole it (connections stay open but no byte gets through, as when a network silently
 * drops packets; clients only notice through their timeouts). Point the client at
 * {@link #port()} instead of the server's port.
 */
public final class LoopbackProxy implements AutoCloseable {

    /** What the proxy does with traffic. */
    public enum Mode {
        /** Forward every byte both ways. */
        PASS,
        /** Reset every connection and refuse new ones. */
        CUT,
        /** Keep connections open and drop every byte. */
        BLACKHOLE
    }

    private static final Logger LOG = LoggerFactory.getLogger(LoopbackProxy.class);

    private final InetSocketAddress target;
    private final ServerSocket listener;
    private final ExecutorService threads;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile boolean closed;

    private LoopbackProxy(InetSocketAddress listenAt, InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(listenAt, 50);
        this.threads = Executors.newCachedThreadPool(NamedThreads.factory("portal-proxy-" + listener.getLocalPort()));
        threads.execute(this::accept);
    }

    /**
     * Starts a proxy to a server.
     *
     * @param host the server's host
     * @param port the server's port
     * @return the running proxy, passing traffic
     */
    public static LoopbackProxy to(String host, int port) {
        try {
            return new LoopbackProxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a loopback proxy to " + host + ":" + port, e);
        }
    }

    /**
     * Starts a proxy that listens at a given loopback address and port, for servers that advertise
     * one address to their clients and cannot be told a different port for it (RocketMQ's broker
     * advertises {@code brokerIP1:listenPort}: a proxy on 127.0.0.2 and the broker's own port sits in
     * front of a broker bound to 127.0.0.1).
     *
     * @param listenHost where clients connect, e.g. {@code 127.0.0.2}
     * @param listenPort the port there
     * @param host the server's host
     * @param port the server's port
     * @return the running proxy, passing traffic
     * @throws UncheckedIOException if that address cannot be bound (outside Linux, 127.0.0.2 may not exist)
     */
    public static LoopbackProxy at(String listenHost, int listenPort, String host, int port) {
        try {
            return new LoopbackProxy(new InetSocketAddress(listenHost, listenPort), new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a proxy at " + listenHost + ":" + listenPort + " to " + host + ":" + port, e);
        }
    }

    /**
     * The port clients connect to.
     *
     * @return the proxy's port (on 127.0.0.1 unless made by {@link #at})
     */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * What the proxy does now.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /** Forwards traffic again. Connections that were black-holed lost bytes, so they are reset and clients reconnect cleanly. */
    public void pass() {
        Mode previous = mode;
        mode = Mode.PASS;
        if (previous == Mode.BLACKHOLE) {
            resetAll();
        }
    }

    /** Resets every open connection and refuses new ones until {@link #pass()}. */
    public void cut() {
        mode = Mode.CUT;
        resetAll();
    }

    /** Drops every byte of open and new connections, without closing them, until {@link #pass()}. */
    public void blackhole() {
        mode = Mode.BLACKHOLE;
    }

    @Override
    public void close() {
        closed = true;
        mode = Mode.CUT;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("Closing the proxy listener failed", e);
        }
        resetAll();
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("Proxy to {} stopped accepting", target, e);
                }
                return;
            }
            if (mode == Mode.CUT) {
                reset(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                upstream.connect(target, 5_000);
            } catch (IOException e) {
                LOG.debug("Proxy cannot reach {}; resetting the client", target, e);
                reset(client);
                reset(upstream);
                continue;
            }
            sockets.add(client);
            sockets.add(upstream);
            AtomicInteger open = new AtomicInteger(2);
            threads.execute(() -> pump(client, upstream, open));
            threads.execute(() -> pump(upstream, client, open));
        }
    }

    /**
     * Copies one direction. An orderly close is passed on as one (a FIN, after every byte before
     * it), so that a client's last request before it disconnects still reaches the server, as it
     * would without the proxy; both sockets are closed once both directions ended. Anything else
     * (a cut, a reset, an error) resets both at once.
     */
    private void pump(Socket from, Socket to, AtomicInteger open) {
        byte[] buffer = new byte[16 * 1024];
        boolean orderly = false;
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int read;
            while ((read = in.read(buffer)) != -1) {
                if (mode == Mode.PASS) {
                    out.write(buffer, 0, read);
                    out.flush();
                } else if (mode == Mode.CUT) {
                    return;
                }
            }
            orderly = mode == Mode.PASS;
            if (orderly) {
                to.shutdownOutput();
            }
        } catch (IOException ended) {
            orderly = false;
            // The other side was reset or closed under us: nothing to forward any more.
        } finally {
            if (!orderly) {
                reset(from);
                reset(to);
            } else if (open.decrementAndGet() == 0) {
                close(from);
                close(to);
            }
        }
    }

    private void close(Socket socket) {
        sockets.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("Closing {} failed", socket, e);
        }
    }

    private void resetAll() {
        for (Socket socket : new ArrayList<>(sockets)) {
            reset(socket);
        }
    }

    private void reset(Socket socket) {
        sockets.remove(socket);
        try {
            if (!socket.isClosed() && socket.isConnected()) {
                // Linger 0 sends a RST, as a broken network path would, instead of an orderly FIN.
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException e) {
            LOG.debug("Resetting {} failed", socket, e);
        }
    }

    @Override
    public String toString() {
        return "LoopbackProxy[" + listener.getLocalSocketAddress() + " -> " + target + ", " + mode + "]";
    }
}
