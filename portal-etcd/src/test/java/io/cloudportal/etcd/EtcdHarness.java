package io.cloudportal.etcd;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.LoopbackProxy;
import io.cloudportal.tck.Credentials;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.LeaseOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The TCK's way to etcd: one etcd child process per test JVM, each connection through its own
 * loopback proxy so one client's connection can be cut. Session expiry is real: the client is cut
 * off until etcd itself has expired its lease.
 */
final class EtcdHarness implements TckHarness {

    static final EtcdHarness INSTANCE = new EtcdHarness();
    /** Renewed every 2 s with a 2 s deadline: a loaded 2-core machine does not miss it; short enough for expiry tests. */
    static final Duration LEASE_TTL = Duration.ofSeconds(6);

    private final EmbeddedEtcd server = new EmbeddedEtcd();
    private final Map<Portal, LoopbackProxy> proxies = new ConcurrentHashMap<>();
    private final Client admin;

    private EtcdHarness() {
        server.start();
        admin = Client.builder().endpoints("http://" + server.endpoint()).build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            admin.close();
            server.close();
        }, "etcd-harness-stop"));
    }

    EmbeddedEtcd server() {
        return server;
    }

    /** A raw jetcd client straight to the server, for checks and interop. */
    Client admin() {
        return admin;
    }

    @Override
    public String driverName() {
        return "etcd";
    }

    @Override
    public String url() {
        return server.url() + "/tck?leaseTtl=" + LEASE_TTL.toSeconds() + "s";
    }

    @Override
    public Portal connect() {
        return connect(Map.of());
    }

    @Override
    public Portal connect(Map<String, String> options) {
        LoopbackProxy proxy = LoopbackProxy.to("127.0.0.1", Integer.parseInt(server.endpoint().split(":")[1]));
        Portal portal = Portal.connect("etcd://127.0.0.1:" + proxy.port() + "/tck?leaseTtl=" + LEASE_TTL.toSeconds() + "s", options);
        proxies.put(portal, proxy);
        return portal;
    }

    /**
     * The proxy between a connection of this harness and the server.
     *
     * @param portal a connection opened by {@link #connect()}
     * @return its proxy
     */
    LoopbackProxy proxy(Portal portal) {
        return proxies.get(portal);
    }

    static long leaseOf(Portal portal) {
        return portal.unwrap(EtcdSession.class).orElseThrow().lease().id();
    }

    /** Asks etcd whether a lease is still alive: a live one reports its remaining whole seconds (0 in its last second), a gone one -1. */
    boolean leaseAlive(long lease) throws Exception {
        return admin.getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL() >= 0;
    }

    @Override
    public Set<Fault> faults() {
        return Set.of(Fault.values());
    }

    @Override
    public void inject(Fault fault, Portal victim) throws Exception {
        LoopbackProxy proxy = proxies.get(victim);
        switch (fault) {
            case SESSION_EXPIRY -> {
                // What expires a lease in production: the client cannot renew it for longer than its TTL.
                long lease = leaseOf(victim);
                FaultScript.sessionExpiry(victim, proxy::cut, () -> !leaseAlive(lease), proxy::pass);
            }
            case CONNECTION_CUT -> FaultScript.connectionCut(victim, proxy::cut, proxy::pass);
            case SERVER_RESTART -> FaultScript.serverRestart(victim, server::restart);
        }
    }

    /** SIGSTOP: the whole server stalls, as a paused process does; keep the freeze shorter than the lease TTL. */
    @Override
    public AutoCloseable freeze(Portal victim) {
        return server.freeze();
    }

    @Override
    public boolean isServerThread(Thread thread) {
        String name = thread.getName();
        return name.startsWith("portal-proxy-") || name.startsWith("etcd-harness") || name.startsWith("portal-etcd-reaper")
                // the admin client's threads
                || name.startsWith("vert.x-") || name.startsWith("grpc-") || name.startsWith("jetcd-");
    }

    @Override
    public Optional<Credentials> credentials() {
        String base = Authenticating.SERVER.url() + "/auth?user=root&password=";
        return Optional.of(Credentials.of(base + Authenticating.PASSWORD, base + Authenticating.WRONG + "&connectTimeout=5s",
                Authenticating.PASSWORD, Authenticating.WRONG));
    }

    /** A second etcd with authentication on (user root), started the first time a test asks for credentials. */
    private static final class Authenticating {
        static final String PASSWORD = "r00t-s3cret";
        static final String WRONG = "wrong-pw-123";
        static final EmbeddedEtcd SERVER = start();

        private static EmbeddedEtcd start() {
            EmbeddedEtcd server = new EmbeddedEtcd();
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "etcd-auth-stop"));
            etcdctl(server, "user", "add", "root", "--new-user-password=" + PASSWORD, "--interactive=false");
            etcdctl(server, "auth", "enable");
            return server;
        }

        private static void etcdctl(EmbeddedEtcd server, String... arguments) {
            List<String> command = new ArrayList<>(List.of("/usr/bin/etcdctl", "--endpoints=" + server.endpoint()));
            command.addAll(List.of(arguments));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("ETCDCTL_API", "3");
            try {
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    throw new IllegalStateException("etcdctl " + String.join(" ", arguments) + " failed: " + output);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running etcdctl", e);
            }
        }
    }
}
