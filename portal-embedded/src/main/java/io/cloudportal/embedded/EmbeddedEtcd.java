package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A single etcd server as a child process of {@code /usr/bin/etcd} (Debian package
 * {@code etcd-server}; {@code PORTAL_ETCD_BINARY} names another binary) on free loopback ports
 * and a temporary data directory. {@link #restart()} and {@link #kill()} keep the data and the
 * ports, so clients reconnect to the same URL.
 */
public final class EmbeddedEtcd implements EmbeddedServer {

    static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final EtcdMember member;
    private final Path directory;

    /** Prepares a server on free ports and a new temporary directory; call {@link #start()}. */
    public EmbeddedEtcd() {
        this(List.of());
    }

    private EmbeddedEtcd(List<String> clientTls) {
        try {
            directory = Files.createTempDirectory("portal-etcd");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for etcd", e);
        }
        member = new EtcdMember("portal", directory, clientTls);
    }

    /**
     * Prepares a server whose clients must connect with TLS and present a certificate signed by a CA.
     *
     * @param certificate the server's certificate (PEM), valid for 127.0.0.1
     * @param privateKey the server's private key (PEM)
     * @param clientCa the CA that signs client certificates (PEM)
     * @return the server; call {@link #start()}
     */
    public static EmbeddedEtcd withTls(Path certificate, Path privateKey, Path clientCa) {
        return new EmbeddedEtcd(List.of("--cert-file", certificate.toString(), "--key-file", privateKey.toString(),
                "--client-cert-auth", "--trusted-ca-file", clientCa.toString()));
    }

    /**
     * Starts an etcd for tests: the one named by {@code PORTAL_TEST_ETCD_URL}, or a child process of the installed binary.
     *
     * @return the running server
     * @throws IllegalStateException if neither is possible, saying how to install etcd
     */
    public static EmbeddedServer startForTests() {
        return EmbeddedServers.start(new EmbeddedServers.Spec("etcd", EmbeddedEtcd::new, EtcdMember::binaryAvailable,
                EtcdMember.INSTALL_HINT, Optional.empty()));
    }

    @Override
    public String url() {
        return "etcd://" + member.endpoint();
    }

    /**
     * The {@code host:port} clients connect to.
     *
     * @return the client endpoint
     */
    public String endpoint() {
        return member.endpoint();
    }

    @Override
    public synchronized void start() {
        member.start(member.name() + "=" + member.peerUrl(), "portal-" + ProcessHandle.current().pid());
        member.awaitHealthy(START_TIMEOUT);
    }

    @Override
    public synchronized void stop() {
        member.stop(false);
    }

    /** Kills the server with {@code SIGKILL}, as a crash would; {@link #start()} brings it back on the same data. */
    public synchronized void kill() {
        member.stop(true);
    }

    /**
     * Freezes the server with {@code SIGSTOP}, as a long GC pause or a stalled VM would: connections
     * stay open and nothing answers. Closing the handle resumes it with {@code SIGCONT}.
     *
     * @return the handle that resumes the server
     */
    public synchronized AutoCloseable freeze() {
        member.signal("STOP");
        return () -> member.signal("CONT");
    }

    @Override
    public synchronized boolean isRunning() {
        return member.isRunning();
    }

    @Override
    public boolean canInjectFaults() {
        return true;
    }

    @Override
    public synchronized void close() {
        member.stop(true);
        Files2.deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return "EmbeddedEtcd[" + url() + "]";
    }
}
