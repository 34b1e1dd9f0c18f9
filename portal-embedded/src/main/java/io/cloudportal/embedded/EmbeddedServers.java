package io.cloudportal.embedded;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks where a test's server comes from, in this order: the environment variable
 * {@code PORTAL_TEST_<TECH>_URL} (an existing server), the local way (in the JVM, or a child
 * process of an installed binary), a Docker container. When none is possible the error says
 * how to get each.
 */
public final class EmbeddedServers {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedServers.class);

    /**
     * How to get one technology's server.
     *
     * @param technology e.g. {@code etcd}; names the environment variable
     * @param local starts the server locally
     * @param localAvailable tells whether the local way can work here (e.g. the binary exists)
     * @param installHint what to do when it cannot, e.g. "apt-get install etcd-server"
     * @param container the Docker path, if the technology has one
     */
    public record Spec(String technology, Supplier<EmbeddedServer> local, BooleanSupplier localAvailable, String installHint,
                       Optional<ContainerServer> container) {
    }

    private EmbeddedServers() {
    }

    /**
     * The environment variable that names an existing server for a technology.
     *
     * @param technology e.g. {@code rabbitmq}
     * @return e.g. {@code PORTAL_TEST_RABBITMQ_URL}
     */
    public static String overrideVariable(String technology) {
        return "PORTAL_TEST_" + technology.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_URL";
    }

    /**
     * Chooses and starts the server for a spec, reading the real environment.
     *
     * @param spec how to get the server
     * @return a running server
     */
    public static EmbeddedServer start(Spec spec) {
        return start(spec, System.getenv(), ContainerServer::isAvailable);
    }

    static EmbeddedServer start(Spec spec, Map<String, String> environment, BooleanSupplier dockerAvailable) {
        String variable = overrideVariable(spec.technology());
        String external = environment.get(variable);
        if (external != null && !external.isBlank()) {
            LOG.info("Using the {} server named by {}", spec.technology(), variable);
            return new ExternalServer(external.strip());
        }
        if (spec.localAvailable().getAsBoolean()) {
            EmbeddedServer server = spec.local().get();
            server.start();
            return server;
        }
        if (spec.container().isPresent() && dockerAvailable.getAsBoolean()) {
            LOG.info("No local {} here; starting a container", spec.technology());
            EmbeddedServer server = spec.container().get();
            server.start();
            return server;
        }
        throw new IllegalStateException("cannot start a " + spec.technology() + " server for the tests: " + spec.installHint()
                + ", or set " + variable + " to the URL of a running server"
                + (spec.container().isPresent() ? ", or run where Docker is available" : ""));
    }
}
