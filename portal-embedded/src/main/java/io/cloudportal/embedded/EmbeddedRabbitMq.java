package io.cloudportal.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A RabbitMQ node as a child process of the Debian package's {@code rabbitmq-server}, with its
 * own node name, AMQP and distribution ports, Erlang port mapper, home and data directories, so
 * it neither needs nor touches a system broker. {@link #restart()} and {@link #kill()} keep the
 * data and the ports; {@link #closeAllConnections()} asks the broker to drop every client.
 * Clients log in as {@code guest}/{@code guest} on 127.0.0.1.
 */
public final class EmbeddedRabbitMq implements EmbeddedServer {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRabbitMq.class);
    static final String INSTALL_HINT = "install the Debian package rabbitmq-server (apt-get install rabbitmq-server), which provides "
            + serverScript();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(EmbeddedRabbitMq::killTree), "portal-rabbitmq-reaper"));
    }

    private final Path directory;
    private final String nodeName;
    private final int amqpPort = FreePorts.next();
    private final int distributionPort = FreePorts.next();
    private final int epmdPort = FreePorts.next();
    /** The port of the TLS listener, or -1 when the node has none. */
    private int tlsPort = -1;
    private Process process;

    /** Prepares a node on free ports and a new temporary directory; call {@link #start()}. */
    public EmbeddedRabbitMq() {
        try {
            directory = Files.createTempDirectory("portal-rabbitmq");
            Files.writeString(directory.resolve("enabled_plugins"), "[].\n");
            Files.writeString(directory.resolve("rabbitmq.conf"), "loopback_users = none\nlog.console = false\n");
            Files.createDirectories(directory.resolve("home"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a directory for RabbitMQ", e);
        }
        nodeName = "portal" + ProcessHandle.current().pid() + "x" + amqpPort + "@localhost";
    }

    /**
     * Prepares a node that also listens for AMQP over TLS ({@code amqps://}) on a port of its own,
     * with the given certificate; clients need not present one.
     *
     * @param certificate the node's certificate (PEM), valid for 127.0.0.1
     * @param privateKey its private key (PEM)
     * @param ca the CA that signed it (PEM)
     * @return the node; call {@link #start()}
     */
    public static EmbeddedRabbitMq withTls(Path certificate, Path privateKey, Path ca) {
        EmbeddedRabbitMq node = new EmbeddedRabbitMq();
        node.tlsPort = FreePorts.next();
        try {
            Files.writeString(node.directory.resolve("rabbitmq.conf"), "loopback_users = none\nlog.console = false\n"
                    + "listeners.ssl.default = " + node.tlsPort + "\n"
                    + "ssl_options.cacertfile = " + ca.toAbsolutePath() + "\n"
                    + "ssl_options.certfile = " + certificate.toAbsolutePath() + "\n"
                    + "ssl_options.keyfile = " + privateKey.toAbsolutePath() + "\n"
                    + "ssl_options.verify = verify_none\n"
                    + "ssl_options.fail_if_no_peer_cert = false\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the TLS configuration of RabbitMQ", e);
        }
        return node;
    }

    /**
     * The {@code amqps://} URL of the TLS listener.
     *
     * @return the URL, with the default user
     * @throws IllegalStateException if the node was not made {@link #withTls(Path, Path, Path) with TLS}
     */
    public String tlsUrl() {
        if (tlsPort < 0) {
            throw new IllegalStateException("this RabbitMQ node has no TLS listener; make it with withTls()");
        }
        return "amqps://guest:guest@127.0.0.1:" + tlsPort;
    }

    /**
     * Starts a RabbitMQ for tests: the one named by {@code PORTAL_TEST_RABBITMQ_URL}, or a child process of the installed server.
     *
     * @return the running server
     * @throws IllegalStateException if neither is possible, saying how to install RabbitMQ
     */
    public static EmbeddedServer startForTests() {
        return EmbeddedServers.start(new EmbeddedServers.Spec("rabbitmq", EmbeddedRabbitMq::new, EmbeddedRabbitMq::available,
                INSTALL_HINT, Optional.empty()));
    }

    private static String serverScript() {
        String configured = System.getenv("PORTAL_RABBITMQ_HOME");
        return (configured == null || configured.isBlank() ? "/usr/lib/rabbitmq" : configured) + "/bin/rabbitmq-server";
    }

    private static String controlScript() {
        return Paths.get(serverScript()).resolveSibling("rabbitmqctl").toString();
    }

    static boolean available() {
        return Files.isExecutable(Paths.get(serverScript()));
    }

    @Override
    public String url() {
        return "amqp://guest:guest@127.0.0.1:" + amqpPort;
    }

    /**
     * The AMQP port.
     *
     * @return the port clients connect to
     */
    public int port() {
        return amqpPort;
    }

    private Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", directory.resolve("home").toString());
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distributionPort));
        env.put("ERL_EPMD_PORT", Integer.toString(epmdPort));
        env.put("RABBITMQ_MNESIA_BASE", directory.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", directory.resolve("log").toString());
        env.put("RABBITMQ_PID_FILE", directory.resolve("rabbitmq.pid").toString());
        env.put("RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString());
        return env;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            throw new IllegalStateException("RabbitMQ node " + nodeName + " is running already");
        }
        if (!available()) {
            throw new IllegalStateException("cannot start RabbitMQ: " + serverScript() + " is missing; " + INSTALL_HINT
                    + ", or set " + EmbeddedServers.overrideVariable("rabbitmq") + " to the URL of a running broker");
        }
        ProcessBuilder builder = new ProcessBuilder(serverScript())
                .redirectErrorStream(true)
                // A pipe nobody reads would block the node once full: its output goes to a file.
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("server.out").toFile()));
        builder.environment().putAll(environment());
        try {
            process = builder.start();
            LIVE.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + serverScript(), e);
        }
        awaitAmqp();
        LOG.debug("RabbitMQ node {} running on port {}", nodeName, amqpPort);
    }

    /** Ready once the broker answers the AMQP protocol header with its Connection.Start frame. */
    private void awaitAmqp() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("RabbitMQ node " + nodeName + " exited with status " + process.exitValue() + "; see "
                        + directory.resolve("server.out") + " and " + directory.resolve("log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", amqpPort), 500);
                socket.setSoTimeout(2000);
                OutputStream out = socket.getOutputStream();
                out.write(new byte[] {'A', 'M', 'Q', 'P', 0, 0, 9, 1});
                out.flush();
                InputStream in = socket.getInputStream();
                if (in.read() == 1) {
                    return;
                }
                last = "an unexpected answer";
            } catch (IOException e) {
                last = e.toString();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for RabbitMQ", e);
            }
        }
        throw new IllegalStateException("RabbitMQ node " + nodeName + " did not accept AMQP on port " + amqpPort + " within "
                + START_TIMEOUT + " (last: " + last + "); see " + directory.resolve("server.out"));
    }

    /** Stops the node gracefully (SIGTERM, which the server script turns into an orderly shutdown), keeping its data. */
    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                LOG.warn("RabbitMQ node {} did not stop within {}; killing it", nodeName, STOP_TIMEOUT);
                killTree(process);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(process);
        process = null;
    }

    /** Kills the node and its Erlang VM with {@code SIGKILL}, as a crash would; {@link #start()} brings it back on the same data. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        killTree(process);
        LIVE.remove(process);
        process = null;
    }

    private static void killTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Asks the broker to close every client connection ({@code rabbitmqctl close_all_connections}),
     * as an operator or a failing load balancer would.
     *
     * @param reason the reason the broker gives the clients
     */
    public void closeAllConnections(String reason) {
        control(List.of("close_all_connections", reason));
    }

    /**
     * Runs {@code rabbitmqctl} against this node.
     *
     * @param arguments the command and its arguments
     * @return what it printed
     */
    public String control(List<String> arguments) {
        List<String> command = new ArrayList<>(List.of(controlScript(), "-n", nodeName));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment());
        try {
            Process control = builder.start();
            String output = new String(control.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!control.waitFor(60, TimeUnit.SECONDS) || control.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + arguments + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + controlScript(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running rabbitmqctl", e);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public boolean canInjectFaults() {
        return true;
    }

    /** Stops the node, its private port mapper (epmd outlives the node otherwise) and deletes its data. */
    @Override
    public synchronized void close() {
        stop();
        String epmdArgument = Integer.toString(epmdPort);
        ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("epmd")).orElse(false))
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(epmdArgument)).orElse(false)
                        || environmentPortMatches(p))
                .forEach(ProcessHandle::destroy);
        Files2.deleteRecursively(directory);
    }

    /** epmd started by the VM takes its port from ERL_EPMD_PORT, not its arguments: read its environment where Linux shows it. */
    private boolean environmentPortMatches(ProcessHandle epmd) {
        try {
            byte[] environ = Files.readAllBytes(Paths.get("/proc", Long.toString(epmd.pid()), "environ"));
            return new String(environ, StandardCharsets.UTF_8).contains("ERL_EPMD_PORT=" + epmdPort + "\0");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return "EmbeddedRabbitMq[" + nodeName + ", port " + amqpPort + "]";
    }
}
