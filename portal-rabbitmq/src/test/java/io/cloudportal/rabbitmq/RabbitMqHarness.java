package io.cloudportal.rabbitmq;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.LoopbackProxy;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TCK's way to RabbitMQ: one node as a child process of the installed server per test JVM
 * (or the broker named by {@code PORTAL_TEST_RABBITMQ_URL}), each connection through its own
 * loopback proxy so one client's connection can be cut. RabbitMQ has no session that outlives a
 * connection, so there is no session expiry to inject.
 */
final class RabbitMqHarness implements TckHarness {

    static final RabbitMqHarness INSTANCE = new RabbitMqHarness();
    /** Short recovery and heartbeat: the contracts cut and restart often, and wait for each recovery. */
    static final String OPTIONS = "?recoveryInterval=500ms&heartbeat=5s";

    private final EmbeddedServer server = EmbeddedRabbitMq.startForTests();
    private final Map<Portal, LoopbackProxy> proxies = new ConcurrentHashMap<>();

    private RabbitMqHarness() {
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "rabbitmq-harness-stop"));
    }

    EmbeddedServer server() {
        return server;
    }

    /** The broker's AMQP port, for raw clients in tests. */
    int port() {
        return URI.create(server.url()).getPort();
    }

    @Override
    public String driverName() {
        return "rabbitmq";
    }

    @Override
    public String url() {
        return server.url() + OPTIONS;
    }

    @Override
    public Portal connect() {
        if (!server.canInjectFaults()) {
            return Portal.connect(url());
        }
        LoopbackProxy proxy = LoopbackProxy.to("127.0.0.1", port());
        Portal portal = Portal.connect("amqp://guest:guest@127.0.0.1:" + proxy.port() + OPTIONS);
        proxies.put(portal, proxy);
        return portal;
    }

    @Override
    public Set<Fault> faults() {
        return server.canInjectFaults() ? Set.of(Fault.SERVER_RESTART, Fault.CONNECTION_CUT) : Set.of();
    }

    @Override
    public void inject(Fault fault, Portal victim) throws Exception {
        switch (fault) {
            case SERVER_RESTART -> FaultScript.serverRestart(victim, server::restart);
            case CONNECTION_CUT -> {
                LoopbackProxy proxy = proxies.get(victim);
                FaultScript.connectionCut(victim, proxy::cut, proxy::pass);
            }
            default -> throw new IllegalArgumentException("the RabbitMQ fixture cannot inject " + fault);
        }
    }

    @Override
    public boolean isServerThread(Thread thread) {
        return thread.getName().startsWith("portal-proxy-") || thread.getName().startsWith("rabbitmq-harness");
    }
}
