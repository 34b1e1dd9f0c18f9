package io.cloudportal.embedded;

/**
 * A real server for tests, examples and benchmarks, started without Docker where possible:
 * in the test JVM (ZooKeeper, Kafka, RocketMQ), as a child process of an installed binary
 * (etcd, RabbitMQ), an existing server named by {@code PORTAL_TEST_<TECH>_URL}, or a
 * Testcontainers container on machines that have Docker but not the binary.
 */
public interface EmbeddedServer extends AutoCloseable {

    /**
     * The Portal URL that reaches this server, e.g. {@code zookeeper://127.0.0.1:40123}.
     *
     * @return the URL; valid while the server runs, and again after a restart
     */
    String url();

    /**
     * Starts the server; returns once it accepts clients.
     *
     * @throws IllegalStateException if it is running already
     */
    void start();

    /** Stops the server, keeping its data for a later {@link #start()}. Idempotent. */
    void stop();

    /** Stops and starts the server on the same data, the same ports and the same URL. */
    default void restart() {
        stop();
        start();
    }

    /**
     * Tells whether the server is running.
     *
     * @return true between start and stop
     */
    boolean isRunning();

    /**
     * Tells whether this fixture controls the server (it can stop and restart it): false for a
     * server named by an environment variable, which fault tests must leave alone.
     *
     * @return true if {@link #stop()} and {@link #restart()} act on the server
     */
    boolean canInjectFaults();

    /** Stops the server and deletes its data. Idempotent. */
    @Override
    void close();
}
