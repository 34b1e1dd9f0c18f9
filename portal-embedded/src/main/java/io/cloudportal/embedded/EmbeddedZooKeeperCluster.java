package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.zookeeper.client.FourLetterWordMain;

/**
 * A 3-node ZooKeeper ensemble in this JVM (curator-test's {@code TestingCluster}) for fault tests:
 * find the current leader, kill a server and restart it on its data.
 */
public final class EmbeddedZooKeeperCluster implements AutoCloseable {

    static {
        EmbeddedZooKeeper.enableServerFeatures();
    }

    private final TestingCluster cluster;

    /** Starts three servers on free loopback ports; returns once the ensemble is up. */
    public EmbeddedZooKeeperCluster() {
        List<InstanceSpec> specs = new ArrayList<>();
        try {
            for (int id = 1; id <= 3; id++) {
                specs.add(new InstanceSpec(Files.createTempDirectory("portal-zookeeper-" + id).toFile(), FreePorts.next(),
                        FreePorts.next(), FreePorts.next(), true, id, EmbeddedZooKeeper.TICK_MILLIS, -1,
                        Map.of("4lw.commands.whitelist", "*")));
            }
            cluster = new TestingCluster(specs);
            cluster.start();
        } catch (Exception e) {
            throw new IllegalStateException("the 3-node ZooKeeper ensemble did not start", e);
        }
    }

    /**
     * The connect string of all three servers.
     *
     * @return {@code host:port,host:port,host:port}
     */
    public String connectString() {
        return cluster.getConnectString();
    }

    /**
     * The Portal URL of the ensemble.
     *
     * @return {@code zookeeper://…}
     */
    public String url() {
        return "zookeeper://" + connectString();
    }

    /**
     * The server that leads the ensemble now, asked with the {@code srvr} four-letter word.
     *
     * @return the leader's spec
     * @throws IllegalStateException if no server says it leads
     */
    public InstanceSpec leader() {
        for (InstanceSpec spec : cluster.getInstances()) {
            try {
                String status = FourLetterWordMain.send4LetterWord("127.0.0.1", spec.getPort(), "srvr");
                if (status.contains("Mode: leader")) {
                    return spec;
                }
            } catch (Exception down) {
                // a stopped server does not answer
            }
        }
        throw new IllegalStateException("no server of " + cluster.getInstances().stream().map(s -> String.valueOf(s.getPort()))
                .collect(Collectors.joining(",")) + " leads");
    }

    /**
     * Kills a server; its data stays for {@link #restart(InstanceSpec)}.
     *
     * @param server the server
     */
    public void kill(InstanceSpec server) {
        try {
            cluster.killServer(server);
        } catch (Exception e) {
            throw new IllegalStateException("could not kill ZooKeeper server " + server.getServerId(), e);
        }
    }

    /**
     * Starts a killed server again on its data.
     *
     * @param server the server
     */
    public void restart(InstanceSpec server) {
        try {
            cluster.restartServer(server);
        } catch (Exception e) {
            throw new IllegalStateException("could not restart ZooKeeper server " + server.getServerId(), e);
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (IOException e) {
            throw new UncheckedIOException("the ZooKeeper ensemble did not close", e);
        }
    }
}
