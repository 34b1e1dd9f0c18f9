package io.cloudportal.rocketmq;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.LoopbackProxy;
import io.cloudportal.tck.Credentials;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import java.util.Optional;
import java.util.Set;

/**
 * The TCK's way to RocketMQ: one NameServer and broker in the test JVM (or the cluster named by
 * {@code PORTAL_TEST_ROCKETMQ_URL}). Clients learn the broker's address from the NameServer, and
 * the broker advertises a loopback proxy in front of it ({@link EmbeddedRocketMq#withProxiedBroker()}):
 * cutting the proxy cuts every client's broker connection at once (the publisher's too, which
 * re-sends), while the NameServer stays reachable. RocketMQ has no session to expire.
 */
final class RocketMqHarness implements TckHarness {

    static final RocketMqHarness INSTANCE = new RocketMqHarness();
    /** Quick state changes: the contracts restart the broker and wait for the connection to notice. */
    static final String OPTIONS = "?heartbeat=500ms";

    private final EmbeddedServer server = EmbeddedRocketMq.startProxiedForTests();

    private RocketMqHarness() {
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "rocketmq-harness-stop"));
    }

    EmbeddedServer server() {
        return server;
    }

    /** The NameServer address, for raw clients in tests. */
    String nameServer() {
        return server.url().substring("rocketmq://".length());
    }

    @Override
    public String driverName() {
        return "rocketmq";
    }

    @Override
    public String url() {
        return server.url() + OPTIONS;
    }

    @Override
    public Portal connect() {
        return Portal.connect(url());
    }

    @Override
    public Set<Fault> faults() {
        if (!server.canInjectFaults()) {
            return Set.of();
        }
        return proxy().isPresent() ? Set.of(Fault.SERVER_RESTART, Fault.CONNECTION_CUT) : Set.of(Fault.SERVER_RESTART);
    }

    private Optional<LoopbackProxy> proxy() {
        return server instanceof EmbeddedRocketMq local ? local.proxy() : Optional.empty();
    }

    @Override
    public void inject(Fault fault, Portal victim) throws Exception {
        switch (fault) {
            case SERVER_RESTART -> FaultScript.serverRestart(victim, server::restart);
            case CONNECTION_CUT -> {
                LoopbackProxy proxy = proxy().orElseThrow();
                FaultScript.connectionCut(victim, proxy::cut, proxy::pass);
            }
            default -> throw new IllegalArgumentException("the RocketMQ fixture cannot inject " + fault);
        }
    }

    @Override
    public boolean isServerThread(Thread thread) {
        return EmbeddedRocketMq.isServerThread(thread) || thread.getName().startsWith("rocketmq-harness");
    }

    @Override
    public Optional<Credentials> credentials() {
        String base = Authenticating.SERVERS.url() + OPTIONS + "&accessKey=" + Authenticating.ACCESS_KEY + "&secretKey=";
        // RocketMQ's client logs through its own shaded Logback, to the console and to ~/logs/rocketmqlogs (abbreviated o.a.r.c.).
        return Optional.of(Credentials.of(base + Authenticating.SECRET, base + Authenticating.WRONG, Authenticating.SECRET,
                Authenticating.WRONG).withVendorLog("o.a.r.c.", "-Drocketmq.log.level=trace"));
    }

    /** NameServer and broker that authenticate every client (RocketMQ's ACL 2.0), started the first time a test asks. */
    private static final class Authenticating {
        static final String ACCESS_KEY = "portal-ak";
        static final String SECRET = "Rmq-Acl-s3cret-4711";
        static final String WRONG = "Wrong-s3cret-0815";
        static final EmbeddedRocketMq SERVERS = start();

        private static EmbeddedRocketMq start() {
            EmbeddedRocketMq servers = EmbeddedRocketMq.withAuthentication(ACCESS_KEY, SECRET);
            servers.start();
            Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "rocketmq-auth-stop"));
            return servers;
        }
    }
}
