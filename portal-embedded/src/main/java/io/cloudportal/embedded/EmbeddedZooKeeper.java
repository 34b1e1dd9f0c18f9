package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * ZooKeeper in this JVM (curator-test's {@code TestingServer}) on a free loopback port and a
 * temporary data directory, with TTL nodes enabled and the container/TTL reaper running every
 * 100 ms, so TTL keys expire promptly. {@link #restart()} keeps the data and the port.
 */
public final class EmbeddedZooKeeper implements EmbeddedServer {

    /** ZooKeeper's tick: sessions may last 2 to 20 ticks, so 1 s to 10 s here. */
    public static final int TICK_MILLIS = 500;

    static {
        enableServerFeatures();
    }

    /**
     * Sets what the in-JVM servers read when they start: TTL nodes are off by default, the reaper
     * that deletes expired TTL nodes runs only once a minute by default, and the admin HTTP server
     * would take a fixed port.
     */
    static void enableServerFeatures() {
        System.setProperty("zookeeper.extendedTypesEnabled", "true");
        System.setProperty("znode.container.checkIntervalMs", "100");
        System.setProperty("zookeeper.admin.enableServer", "false");
    }

    private final InstanceSpec spec;
    private TestingServer server;
    private boolean running;

    /** Prepares a server on a free port and a new temporary data directory; call {@link #start()}. */
    public EmbeddedZooKeeper() {
        try {
            spec = new InstanceSpec(Files.createTempDirectory("portal-zookeeper").toFile(), FreePorts.next(), -1, -1, true, -1,
                    TICK_MILLIS, -1, Map.of("4lw.commands.whitelist", "*"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for ZooKeeper", e);
        }
    }

    /**
     * Starts a ZooKeeper for tests: the one named by {@code PORTAL_TEST_ZOOKEEPER_URL}, or one in this JVM.
     *
     * @return the running server
     */
    public static EmbeddedServer startForTests() {
        return EmbeddedServers.start(new EmbeddedServers.Spec("zookeeper", EmbeddedZooKeeper::new, () -> true,
                "ZooKeeper runs in the JVM and needs nothing installed", Optional.empty()));
    }

    @Override
    public String url() {
        return "zookeeper://127.0.0.1:" + spec.getPort();
    }

    /**
     * The {@code host:port} connect string.
     *
     * @return the connect string
     */
    public String connectString() {
        return "127.0.0.1:" + spec.getPort();
    }

    @Override
    public synchronized void start() {
        if (running) {
            throw new IllegalStateException("ZooKeeper on port " + spec.getPort() + " is running already");
        }
        try {
            if (server == null) {
                server = new TestingServer(spec, true);
            } else {
                server.start();
            }
            running = true;
        } catch (Exception e) {
            throw new IllegalStateException("ZooKeeper did not start on port " + spec.getPort(), e);
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        try {
            server.stop();
            running = false;
        } catch (IOException e) {
            throw new UncheckedIOException("ZooKeeper on port " + spec.getPort() + " did not stop", e);
        }
    }

    @Override
    public synchronized void restart() {
        try {
            server.restart();
            running = true;
        } catch (Exception e) {
            throw new IllegalStateException("ZooKeeper on port " + spec.getPort() + " did not restart", e);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    @Override
    public boolean canInjectFaults() {
        return true;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException("ZooKeeper on port " + spec.getPort() + " did not close", e);
            }
            server = null;
            running = false;
        }
    }
}
