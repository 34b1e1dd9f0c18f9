package io.cloudportal.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcd member as a child process of the installed binary, with loopback client and peer
 * URLs on ports chosen once, so a restart keeps its address. Its output goes to a file next to
 * its data: a pipe nobody reads would block the process once full.
 */
final class EtcdMember {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdMember.class);
    static final String INSTALL_HINT = "install the Debian package etcd-server (apt-get install etcd-server), which provides "
            + EtcdMember.binary();

    /** Children still running when the JVM exits are killed, so no etcd outlives the tests that started it. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "portal-etcd-reaper"));
    }

    private final String name;
    private final int clientPort;
    private final int peerPort;
    /** Plain-HTTP /health and /metrics, also when clients must speak TLS. */
    private final int metricsPort;
    private final List<String> clientTls;
    private final Path directory;
    private Process process;
    private boolean initialised;

    EtcdMember(String name, Path directory) {
        this(name, directory, List.of());
    }

    /** A member whose clients connect with TLS; {@code clientTls} are etcd's flags for it (certificate, key, CA). */
    EtcdMember(String name, Path directory, List<String> clientTls) {
        this.name = name;
        this.clientPort = FreePorts.next();
        this.peerPort = FreePorts.next();
        this.metricsPort = FreePorts.next();
        this.directory = directory;
        this.clientTls = List.copyOf(clientTls);
    }

    private String clientScheme() {
        return clientTls.isEmpty() ? "http://" : "https://";
    }

    /** The etcd binary: {@code PORTAL_ETCD_BINARY}, else {@code /usr/bin/etcd}, else the first {@code etcd} on the PATH. */
    static String binary() {
        String configured = System.getenv("PORTAL_ETCD_BINARY");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        if (Files.isExecutable(Paths.get("/usr/bin/etcd"))) {
            return "/usr/bin/etcd";
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Paths.get(dir, "etcd");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return "/usr/bin/etcd";
    }

    static boolean binaryAvailable() {
        return Files.isExecutable(Paths.get(binary()));
    }

    String name() {
        return name;
    }

    String endpoint() {
        return "127.0.0.1:" + clientPort;
    }

    String peerUrl() {
        return "http://127.0.0.1:" + peerPort;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the process; {@code initialCluster} names every member as {@code name=peerUrl,…}. */
    synchronized void start(String initialCluster, String clusterToken) {
        if (isRunning()) {
            throw new IllegalStateException("etcd member " + name + " on port " + clientPort + " is running already");
        }
        if (!binaryAvailable()) {
            throw new IllegalStateException("cannot start etcd: " + binary() + " is missing; " + INSTALL_HINT
                    + ", or set " + EmbeddedServers.overrideVariable("etcd") + " to the URL of a running server");
        }
        List<String> command = new ArrayList<>(List.of(binary(),
                "--name", name,
                "--data-dir", directory.resolve("data").toString(),
                "--listen-client-urls", clientScheme() + endpoint(),
                "--advertise-client-urls", clientScheme() + endpoint(),
                "--listen-metrics-urls", "http://127.0.0.1:" + metricsPort,
                "--listen-peer-urls", peerUrl(),
                "--initial-advertise-peer-urls", peerUrl(),
                "--initial-cluster", initialCluster,
                "--initial-cluster-token", clusterToken,
                "--initial-cluster-state", "new",
                // Faster elections than the 1 s default: a stopped member's absence is noticed sooner,
                // and the shortest lease etcd grants (1.5 election timeouts) drops to under a second.
                "--heartbeat-interval", "100",
                "--election-timeout", "600",
                "--logger", "zap",
                "--log-level", "warn"));
        command.addAll(clientTls);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(directory.resolve("etcd.log").toFile()));
        try {
            Files.createDirectories(directory);
            process = builder.start();
            LIVE.add(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary(), e);
        }
        initialised = true;
        LOG.debug("etcd member {} started (pid {}) on {}", name, process.pid(), endpoint());
    }

    /** Waits until this member answers {@code /health} with {@code true}. */
    void awaitHealthy(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            Process running;
            synchronized (this) {
                running = process;
            }
            if (running == null || !running.isAlive()) {
                throw new IllegalStateException("etcd member " + name + " exited with status "
                        + (running == null ? "?" : running.exitValue()) + "; see " + directory.resolve("etcd.log"));
            }
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"true\"")) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd", e);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for etcd", e);
            }
        }
        throw new IllegalStateException("etcd member " + name + " on " + endpoint() + " was not healthy within " + timeout
                + " (last: " + last + "); see " + directory.resolve("etcd.log"));
    }

    /** Sends the process a signal by name ({@code STOP}, {@code CONT}) with the system's {@code kill}. */
    synchronized void signal(String signal) {
        if (process == null) {
            throw new IllegalStateException("etcd member " + name + " is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + signal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending " + signal + " to etcd", e);
        }
    }

    /** Stops the process, gracefully ({@code SIGTERM}) or not ({@code SIGKILL}), keeping its data. */
    synchronized void stop(boolean kill) {
        if (process == null) {
            return;
        }
        if (kill) {
            process.destroyForcibly();
        } else {
            process.destroy();
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        LIVE.remove(process);
        process = null;
    }

    synchronized boolean initialised() {
        return initialised;
    }

    Path directory() {
        return directory;
    }
}
