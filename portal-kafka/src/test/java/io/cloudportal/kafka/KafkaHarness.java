package io.cloudportal.kafka;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.FaultScript;
import io.cloudportal.tck.TckHarness;
import java.util.Set;

/**
 * The TCK's way to Kafka: one single-broker KRaft cluster in the test JVM. Kafka clients reach
 * brokers at the addresses the brokers advertise, so a loopback proxy cannot stand between one
 * client and the broker: the connection-cut and session-expiry faults are not injected here;
 * {@link KafkaFaultsIT} stops brokers of a cluster and kills consumers instead.
 */
final class KafkaHarness implements TckHarness {

    static final KafkaHarness INSTANCE = new KafkaHarness();

    private final EmbeddedKafka server = new EmbeddedKafka();

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
        return server.url() + "?kafka.consumer.heartbeat.interval.ms=200";
    }

    @Override
    public Portal connect() {
        return Portal.connect(url());
    }

    @Override
    public Set<Fault> faults() {
        return Set.of(Fault.SERVER_RESTART);
    }

    @Override
    public void inject(Fault fault, Portal victim) throws Exception {
        if (fault != Fault.SERVER_RESTART) {
            throw new IllegalArgumentException("the Kafka fixture cannot inject " + fault);
        }
        FaultScript.serverRestart(victim, server::restart);
    }

    @Override
    public boolean isServerThread(Thread thread) {
        // Portal's threads are named portal-…, and the Kafka client threads of its connections carry their client id, portal-c….
        return !thread.getName().contains("portal-");
    }
}
