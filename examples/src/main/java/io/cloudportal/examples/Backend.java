package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Where the examples connect. A URL configured for the purpose wins — {@code coordination.url} or
 * {@code messaging.url} in {@code portal.properties} (on the classpath, then in the working
 * directory), a system property of that name, or {@code PORTAL_COORDINATION_URL} /
 * {@code PORTAL_MESSAGING_URL} in the environment. With none, a server from
 * {@code portal-embedded} is started for the run (ZooKeeper for coordination, Kafka for
 * messaging), so the examples run on a machine with nothing installed.
 *
 * <p>In your own service you need none of this: {@code Portal.connect(properties, "coordination")}.
 */
public final class Backend implements AutoCloseable {

    private final String purpose;
    private final Properties properties;
    private final EmbeddedServer embedded;

    private Backend(String purpose, Properties properties, EmbeddedServer embedded) {
        this.purpose = purpose;
        this.properties = properties;
        this.embedded = embedded;
    }

    /**
     * The backend for registry, lock, leader and configuration: ZooKeeper or etcd.
     *
     * @param out where to say what was chosen
     * @return the backend; close it to stop an embedded server
     */
    public static Backend coordination(Transcript out) {
        return open("coordination", "ZooKeeper", EmbeddedZooKeeper::new, "/examples", out);
    }

    /**
     * The backend for publishing and consuming: embedded Kafka unless a URL is configured, e.g.
     * {@code amqp://guest:guest@localhost:5672} for RabbitMQ (the pub/sub example runs unchanged on both;
     * ZeroMQ gives broadcast only, without the groups and dead letters it uses).
     *
     * @param out where to say what was chosen
     * @return the backend; close it to stop an embedded server
     */
    public static Backend messaging(Transcript out) {
        return open("messaging", "Kafka", EmbeddedKafka::new, "", out);
    }

    private static Backend open(String purpose, String technology, Supplier<EmbeddedServer> embedded, String path, Transcript out) {
        Properties properties = configuration();
        String key = purpose + ".url";
        String env = "PORTAL_" + purpose.toUpperCase(Locale.ROOT) + "_URL";
        if (properties.getProperty(key) != null || System.getenv(env) != null) {
            out.say("%s backend: configured (%s or %s)", purpose, key, env);
            return new Backend(purpose, properties, null);
        }
        EmbeddedServer server = embedded.get();
        server.start();
        properties.setProperty(key, server.url() + path);
        out.say("%s backend: none configured, so an embedded %s was started for this run (%s)", purpose, technology, server.url());
        return new Backend(purpose, properties, server);
    }

    private static Properties configuration() {
        Properties properties = new Properties();
        try (InputStream bundled = Backend.class.getResourceAsStream("/portal.properties")) {
            if (bundled != null) {
                properties.load(bundled);
            }
            Path local = Path.of("portal.properties");
            if (Files.isReadable(local)) {
                try (InputStream in = Files.newInputStream(local)) {
                    properties.load(in);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read portal.properties", e);
        }
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("coordination.") || name.startsWith("messaging."))
                .forEach(name -> properties.setProperty(name, System.getProperty(name)));
        return properties;
    }

    /**
     * Opens a new connection, as one process of your system would.
     *
     * @return the connection
     */
    public Portal connect() {
        return Portal.connect(properties, purpose);
    }

    @Override
    public void close() {
        if (embedded != null) {
            embedded.close();
        }
    }
}
