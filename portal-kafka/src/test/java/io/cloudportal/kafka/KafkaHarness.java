package io.cloudportal.kafka;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.tck.Credentials;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import java.util.Optional;
import java.util.Set;

/**
 * The TCK's way to Kafka: one single-broker KRaft cluster in the test JVM. Kafka clients reach
 * brokers at the addresses the brokers advertise, so the contracts' connections come in on a
 * listener that advertises a loopback proxy ({@link EmbeddedKafka#withProxiedListener()}): cutting
 * the proxy cuts every contract connection at once (the publisher's too, which re-sends), while
 * raw clients of the interop tests use the direct listener. Kafka has no session to expire;
 * {@link KafkaFaultsIT} stops brokers of a cluster and kills consumers as well.
 */
final class KafkaHarness implements TckHarness {

    static final KafkaHarness INSTANCE = new KafkaHarness();

    private final EmbeddedKafka server = EmbeddedKafka.withProxiedListener();

    private KafkaHarness() {
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "kafka-harness-stop"));
    }

    EmbeddedKafka server() {
        return server;
    }

    @Override
    public String driverName() {
        return "kafka";
    }

    @Override
    public String url() {
        // Frequent heartbeats: the contracts open and close group members by the dozen, and each change waits for them.
        return "kafka://" + server.proxiedBootstrapServers() + "?kafka.consumer.heartbeat.interval.ms=200";
    }

    @Override
    public Portal connect() {
        return Portal.connect(url());
    }

    @Override
    public Set<Fault> faults() {
        return Set.of(Fault.SERVER_RESTART, Fault.CONNECTION_CUT);
    }

    @Override
    public void inject(Fault fault, Portal victim) throws Exception {
        switch (fault) {
            case SERVER_RESTART -> FaultScript.serverRestart(victim, server::restart);
            case CONNECTION_CUT -> FaultScript.connectionCut(victim, server.proxy()::cut, server.proxy()::pass);
            default -> throw new IllegalArgumentException("the Kafka fixture cannot inject " + fault);
        }
    }

    @Override
    public boolean isServerThread(Thread thread) {
        // Portal's threads are named portal-…, and the Kafka client threads of its connections carry their client id, portal-c….
        return !thread.getName().contains("portal-");
    }

    @Override
    public Optional<Credentials> credentials() {
        return Optional.of(Credentials.of(saslUrl(EmbeddedKafka.SASL_USER, EmbeddedKafka.SASL_PASSWORD),
                saslUrl(EmbeddedKafka.SASL_USER, WRONG_PASSWORD), EmbeddedKafka.SASL_PASSWORD, WRONG_PASSWORD,
                EmbeddedKafka.SASL_UNPRIVILEGED_PASSWORD));
    }

    static final String WRONG_PASSWORD = "Wrong-s3cret-0815";

    /**
     * A URL of the broker that requires SASL PLAIN (started on first use), for one of its users.
     *
     * @param user a user of {@link EmbeddedKafka#withSaslPlain()}
     * @param password that user's password, or a wrong one
     * @return the URL
     */
    static String saslUrl(String user, String password) {
        return "kafka://" + user + ":" + password + "@" + SaslBroker.BROKER.bootstrapServers()
                + "?securityProtocol=SASL_PLAINTEXT&saslMechanism=PLAIN&connectTimeout=10s";
    }

    /** A second broker whose clients must authenticate, started the first time a test asks for it. */
    private static final class SaslBroker {
        static final EmbeddedKafka BROKER = start();

        private static EmbeddedKafka start() {
            EmbeddedKafka broker = EmbeddedKafka.withSaslPlain();
            broker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-sasl-stop"));
            return broker;
        }
    }
}
