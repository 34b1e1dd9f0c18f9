package io.cloudportal.rabbitmq;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.LoopbackProxy;
import io.cloudportal.tck.Credentials;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
        return server.canInjectFaults() ? Set.of(Fault.SERVER_RESTART, Fault.CONNECTION_CUT, Fault.SERVER_FROZEN) : Set.of();
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

    /** The connection's proxy drops every byte and keeps the TCP connection open, as a paused broker would. */
    @Override
    public AutoCloseable freeze(Portal victim) {
        LoopbackProxy proxy = proxies.get(victim);
        proxy.blackhole();
        return proxy::pass;
    }

    @Override
    public boolean isServerThread(Thread thread) {
        return thread.getName().startsWith("portal-proxy-") || thread.getName().startsWith("rabbitmq-harness");
    }

    static final String USER = "portal-security";
    static final String SECRET = "Rmq-s3cret-4711";
    static final String WRONG = "Wrong-s3cret-0815";
    private boolean userAdded;

    @Override
    public synchronized Optional<Credentials> credentials() {
        if (!userAdded) {
            EmbeddedRabbitMq broker = (EmbeddedRabbitMq) server;
            if (!broker.control(List.of("list_users", "--quiet")).contains(USER)) {
                broker.control(List.of("add_user", USER, SECRET));
                broker.control(List.of("set_permissions", "-p", "/", USER, ".*", ".*", ".*"));
            }
            userAdded = true;
        }
        return Optional.of(Credentials.of(userUrl(SECRET, ""), userUrl(WRONG, ""), SECRET, WRONG));
    }

    /**
     * A URL of the broker for the user {@link #credentials()} adds.
     *
     * @param password its password, or a wrong one
     * @param vhost {@code ""} for the default virtual host, or {@code /name}
     * @return the URL
     */
    String userUrl(String password, String vhost) {
        return "amqp://" + USER + ":" + password + "@127.0.0.1:" + port() + vhost + OPTIONS;
    }
}
