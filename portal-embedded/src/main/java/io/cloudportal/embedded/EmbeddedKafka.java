package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Optional;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka in this JVM: a KRaft cluster from Kafka's own test kit ({@code kafka-test-common-runtime},
 * which this module declares optional: add it next to {@code portal-embedded} to use this class),
 * one combined controller+broker node by default. {@link #restart()} stops the brokers and starts
 * them again on the same log directories and ports, so clients opened before keep working.
 */
public final class EmbeddedKafka implements EmbeddedServer {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    static {
        // A broker in the test JVM must not end it: Kafka's brokers call Exit.exit/halt on fatal errors (a log dir
        // gone at shutdown, say), and the JVM then ends after the tests with a non-zero status, which fails the build
        // with nothing but "Error occurred in starting fork". Kafka's own tests swap the procedures the same way.
        Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
        Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
    }

    private static void refuse(String what, int status, String message) {
        LOG.error("An embedded Kafka broker asked to {} the JVM with status {}: {}", what, status, message);
        throw new IllegalStateException("embedded Kafka asked to " + what + " the JVM with status " + status + ": " + message);
    }

    /** The super user Kafka's test kit creates on a SASL_PLAINTEXT cluster (its authorizer lets it do anything). */
    public static final String SASL_USER = "plain-admin";
    /** That user's password. */
    public static final String SASL_PASSWORD = "plain-admin-secret";
    /** A user the test kit creates without any ACL: it may authenticate and nothing else. */
    public static final String SASL_UNPRIVILEGED_USER = "plain-user1";
    /** That user's password. */
    public static final String SASL_UNPRIVILEGED_PASSWORD = "plain-user1-secret";

    /** The extra listener of a TLS cluster: the test kit's own listener (PLAINTEXT) stays for the brokers and controllers. */
    private static final String TLS_LISTENER = "TLS";

    /** The extra listener of a proxied cluster, advertised at the proxy's address. */
    private static final String PROXIED_LISTENER = "PROXIED";

    private final int brokers;
    private boolean sasl;
    /** The proxy in front of the PROXIED listener, or null; its port is what that listener advertises. */
    private LoopbackProxy proxy;
    private int proxiedPort;
    private TestCertificates tls;
    private KafkaClusterTestKit cluster;
    private boolean running;

    /** Prepares a single-node cluster; call {@link #start()}. */
    public EmbeddedKafka() {
        this(1);
    }

    /**
     * Prepares a cluster; call {@link #start()}.
     *
     * @param brokers the number of brokers; the internal topics are replicated to at most three of them
     */
    public EmbeddedKafka(int brokers) {
        this.brokers = brokers;
    }

    /**
     * Prepares a single-node cluster whose clients must authenticate with SASL PLAIN over
     * {@code SASL_PLAINTEXT} (as {@link #SASL_USER}, or {@link #SASL_UNPRIVILEGED_USER}, which no ACL allows
     * anything), with an authorizer; call {@link #start()}.
     *
     * @return the cluster
     */
    public static EmbeddedKafka withSaslPlain() {
        EmbeddedKafka kafka = new EmbeddedKafka(1);
        kafka.sasl = true;
        return kafka;
    }

    /**
     * Prepares a single-node cluster with a TLS listener beside its plain one, presenting the
     * certificate {@code certificates} issued for 127.0.0.1 (clients verify it against their CA and
     * the host name); {@link #tlsBootstrapServers()} names it. Call {@link #start()}.
     *
     * @param certificates the CA and the server certificate and key (PEM)
     * @return the cluster
     */
    public static EmbeddedKafka withTls(TestCertificates certificates) {
        EmbeddedKafka kafka = new EmbeddedKafka(1);
        kafka.tls = certificates;
        return kafka;
    }

    /**
     * Prepares a single-node cluster with a second client listener that advertises a
     * {@link LoopbackProxy} in front of it: a client bootstrapped at {@link #proxiedBootstrapServers()}
     * reaches the broker only through the proxy (Kafka hands clients the advertised address of the
     * listener they came in on), so {@link #proxy()} can cut every such client's connections, while
     * {@link #bootstrapServers()} stays direct. Ports are fixed, so a restart keeps both. Call {@link #start()}.
     *
     * @return the cluster
     */
    public static EmbeddedKafka withProxiedListener() {
        EmbeddedKafka kafka = new EmbeddedKafka(1);
        kafka.proxiedPort = freePort();
        kafka.proxy = LoopbackProxy.to("127.0.0.1", kafka.proxiedPort);
        return kafka;
    }

    /**
     * The proxy in front of the proxied listener of a cluster made by {@link #withProxiedListener()}.
     *
     * @return the proxy
     */
    public LoopbackProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("Kafka was not prepared with a proxied listener");
        }
        return proxy;
    }

    /**
     * The proxy's address, where clients that go through it bootstrap.
     *
     * @return {@code 127.0.0.1:port}
     */
    public String proxiedBootstrapServers() {
        return "127.0.0.1:" + proxy().port();
    }

    private static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port for Kafka's proxied listener", e);
        }
    }

    /**
     * The TLS listener's address, of a cluster made by {@link #withTls(TestCertificates)}.
     *
     * @return {@code 127.0.0.1:port}
     */
    public synchronized String tlsBootstrapServers() {
        if (cluster == null || tls == null) {
            throw new IllegalStateException("Kafka has not been started with a TLS listener");
        }
        return "127.0.0.1:" + cluster.brokers().values().iterator().next().boundPort(new ListenerName(TLS_LISTENER));
    }

    /**
     * Starts a Kafka for tests: the one named by {@code PORTAL_TEST_KAFKA_URL}, or one in this JVM.
     *
     * @return the running server
     */
    public static EmbeddedServer startForTests() {
        return EmbeddedServers.start(new EmbeddedServers.Spec("kafka", EmbeddedKafka::new, () -> true,
                "Kafka runs in the JVM and needs org.apache.kafka:kafka-test-common-runtime on the classpath", Optional.empty()));
    }

    @Override
    public synchronized String url() {
        return "kafka://" + bootstrapServers();
    }

    /**
     * The bootstrap servers, {@code host:port,…}.
     *
     * @return the brokers' addresses
     */
    public synchronized String bootstrapServers() {
        if (cluster == null) {
            throw new IllegalStateException("Kafka has not been started");
        }
        return cluster.bootstrapServers();
    }

    @Override
    public synchronized void start() {
        if (running) {
            throw new IllegalStateException("Kafka is running already");
        }
        try {
            if (cluster == null) {
                short replication = (short) Math.min(3, brokers);
                TestKitNodes.Builder nodes = new TestKitNodes.Builder().setCombined(true).setNumControllerNodes(1).setNumBrokerNodes(brokers);
                if (sasl) {
                    // The test kit then configures PLAIN with its users, plain-admin (super user) and plain-user1.
                    nodes.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT).setControllerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
                }
                TestKitNodes built = nodes.build();
                KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(built);
                if (tls != null) {
                    addTlsListener(builder, built);
                }
                if (proxy != null) {
                    addProxiedListener(builder, built);
                }
                cluster = builder
                        .setConfigProp("offsets.topic.replication.factor", Short.toString(replication))
                        .setConfigProp("transaction.state.log.replication.factor", Short.toString(replication))
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .build();
                cluster.format();
                cluster.startup();
            } else {
                for (var broker : cluster.brokers().values()) {
                    broker.startup();
                }
            }
            cluster.waitForReadyBrokers();
            running = true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Kafka did not start", e);
        }
    }

    /**
     * The test kit (4.3) offers no TLS listener of its own but keeps listeners given as settings;
     * the key and certificate go in as PEM text, which Kafka's PEM key store type reads.
     */
    private void addTlsListener(KafkaClusterTestKit.Builder builder, TestKitNodes nodes) {
        String broker = nodes.brokerListenerName().value();
        String controller = nodes.controllerListenerName().value();
        String prefix = "listener.name." + TLS_LISTENER.toLowerCase(java.util.Locale.ROOT) + ".";
        try {
            builder.setConfigProp("listeners", broker + "://localhost:0," + controller + "://localhost:0," + TLS_LISTENER + "://127.0.0.1:0")
                    .setConfigProp("listener.security.protocol.map", broker + ":PLAINTEXT," + controller + ":PLAINTEXT," + TLS_LISTENER + ":SSL")
                    .setConfigProp(prefix + "ssl.keystore.type", "PEM")
                    .setConfigProp(prefix + "ssl.keystore.certificate.chain", Files.readString(tls.serverCertificate()))
                    .setConfigProp(prefix + "ssl.keystore.key", Files.readString(tls.serverKey()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the test certificates", e);
        }
    }

    /** A plain listener on a fixed port whose advertised address is the proxy's; the test kit's own listeners stay as they were. */
    private void addProxiedListener(KafkaClusterTestKit.Builder builder, TestKitNodes nodes) {
        String broker = nodes.brokerListenerName().value();
        String controller = nodes.controllerListenerName().value();
        builder.setConfigProp("listeners", broker + "://localhost:0," + controller + "://localhost:0," + PROXIED_LISTENER + "://127.0.0.1:" + proxiedPort)
                .setConfigProp("advertised.listeners", broker + "://localhost:0," + PROXIED_LISTENER + "://127.0.0.1:" + proxy.port())
                .setConfigProp("listener.security.protocol.map", broker + ":PLAINTEXT," + controller + ":PLAINTEXT," + PROXIED_LISTENER + ":PLAINTEXT");
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        for (var broker : cluster.brokers().values()) {
            broker.shutdown();
            broker.awaitShutdown();
        }
        running = false;
    }

    /**
     * Stops one broker, keeping its log directory and port, for fault tests on a cluster.
     *
     * @param id the broker's node id (0 to brokers - 1)
     */
    public synchronized void stopBroker(int id) {
        var broker = cluster.brokers().get(id);
        broker.shutdown();
        broker.awaitShutdown();
    }

    /**
     * Starts a stopped broker again.
     *
     * @param id the broker's node id
     */
    public synchronized void startBroker(int id) {
        cluster.brokers().get(id).startup();
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
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                throw new IllegalStateException("Kafka did not close", e);
            }
            cluster = null;
        }
        running = false;
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + brokers + " broker(s)]";
    }
}
