package io.cloudportal.zookeeper;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import io.cloudportal.embedded.LoopbackProxy;
import io.cloudportal.tck.Credentials;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * The TCK's way to ZooKeeper: one embedded server per test JVM, each connection through its own
 * loopback proxy so one client's connection can be cut. Session expiry is real: the client is cut
 * off until the server has expired its session.
 */
final class ZooKeeperHarness implements TckHarness {

    static final ZooKeeperHarness INSTANCE = new ZooKeeperHarness();
    /** Long enough that a loaded 2-core CI machine does not expire healthy sessions; short enough for expiry tests. */
    static final Duration SESSION_TIMEOUT = Duration.ofSeconds(8);

    private final EmbeddedZooKeeper server = new EmbeddedZooKeeper();
    private final Map<Portal, LoopbackProxy> proxies = new ConcurrentHashMap<>();

    private ZooKeeperHarness() {
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "zookeeper-harness-stop"));
    }

    EmbeddedZooKeeper server() {
        return server;
    }

    @Override
    public String driverName() {
        return "zookeeper";
    }

    @Override
    public String url() {
        return server.url() + "/tck?sessionTimeout=" + SESSION_TIMEOUT.toSeconds() + "s&connectionTimeout=8s";
    }

    @Override
    public Portal connect() {
        return connect(Map.of());
    }

    @Override
    public Portal connect(Map<String, String> options) {
        LoopbackProxy proxy = LoopbackProxy.to("127.0.0.1", Integer.parseInt(server.connectString().split(":")[1]));
        Portal portal = Portal.connect("zookeeper://127.0.0.1:" + proxy.port() + "/tck?sessionTimeout=" + SESSION_TIMEOUT.toSeconds()
                + "s&connectionTimeout=8s", options);
        proxies.put(portal, proxy);
        return portal;
    }

    /**
     * The proxy between a connection of this harness and the server, for tests that need to cut
     * a connection and act while it is cut.
     *
     * @param portal a connection opened by {@link #connect()}
     * @return its proxy
     */
    LoopbackProxy proxy(Portal portal) {
        return proxies.get(portal);
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
                // What expires a session in production: the client cannot reach the server for longer
                // than the session timeout. It notices first (SUSPENDED), the server expires the session
                // later, and the client learns it on reconnecting.
                long session = victim.unwrap(CuratorFramework.class).orElseThrow().getZookeeperClient().getZooKeeper().getSessionId();
                FaultScript.sessionExpiry(victim, proxy::cut, () -> !sessionAlive(session), proxy::pass);
            }
            case CONNECTION_CUT -> FaultScript.connectionCut(victim, proxy::cut, proxy::pass);
            case SERVER_RESTART -> FaultScript.serverRestart(victim, server::restart);
        }
    }

    /** The server runs in this JVM: freezing it would freeze the test; its connection's proxy drops every byte instead. */
    @Override
    public AutoCloseable freeze(Portal victim) {
        LoopbackProxy proxy = proxies.get(victim);
        proxy.blackhole();
        return proxy::pass;
    }

    /** Asks the server, with the 'dump' four-letter word, whether it still tracks a session. */
    boolean sessionAlive(long session) throws Exception {
        String dump = FourLetterWordMain.send4LetterWord("127.0.0.1", Integer.parseInt(server.connectString().split(":")[1]), "dump");
        return dump.contains("0x" + Long.toHexString(session));
    }

    @Override
    public boolean isServerThread(Thread thread) {
        String name = thread.getName();
        return name.startsWith("portal-proxy-") || name.startsWith("NIOServerCxn") || name.startsWith("NIOWorkerThread")
                || name.startsWith("SyncThread") || name.startsWith("ProcessThread") || name.startsWith("SessionTracker")
                || name.startsWith("ContainerManagerTask") || name.startsWith("RequestThrottler") || name.contains("ConnnectionExpirer")
                || name.startsWith("zookeeper-harness") || name.startsWith("PurgeTask") || name.startsWith("main-EventThread")
                || name.startsWith("main-SendThread");
    }

    /** Digest credentials: ZooKeeper admits any, and what one user creates (creator-only ACLs) is refused to another. */
    @Override
    public Optional<Credentials> credentials() {
        String base = server.url() + "/credentials?user=app&password=";
        return Optional.of(Credentials.of(base + DIGEST_SECRET, base + DIGEST_WRONG, DIGEST_SECRET, DIGEST_WRONG));
    }

    private static final String DIGEST_SECRET = "Zk-s3cret-4711";
    private static final String DIGEST_WRONG = "Wrong-s3cret-0815";
}
