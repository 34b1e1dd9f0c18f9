package io.cloudportal.zookeeper;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** The options of a ZooKeeper connection, read and checked once. */
record ZooKeeperSettings(String connectString, String namespace, Duration sessionTimeout, Duration connectionTimeout,
                         Duration retryBaseSleep, Duration retryMaxSleep, int maxRetries, Optional<String> user,
                         Optional<String> password, String registryPath, boolean metadataPayload) {

    static final Set<String> OPTIONS = Set.of("sessionTimeout", "connectionTimeout", "retryBaseSleep", "retryMaxSleep",
            "maxRetries", "user", "password", "registryPath", "registryPayload");

    /** {@code registryPayload}: what the {@code payload} of Curator's instance JSON holds. */
    static final String METADATA_PAYLOAD = "metadata";
    static final String NO_PAYLOAD = "none";

    static ZooKeeperSettings from(DriverContext context) {
        Options options = context.options();
        for (String host : context.url().hosts()) {
            if (!host.matches("[A-Za-z0-9._\\-\\[\\]:]+")) {
                throw new ConfigurationException("host '" + host + "' in " + context.url() + " is not host[:port]");
            }
        }
        Optional<String> user = options.get("user").or(() -> context.url().user());
        Optional<String> password = options.get("password").or(() -> context.url().password());
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigurationException("ZooKeeper digest credentials need both a user and a password (in the URL"
                    + " or as the options 'user' and 'password'); " + (user.isPresent() ? "the password" : "the user") + " is missing");
        }
        String registryPath = options.string("registryPath", "services").replaceAll("^/+|/+$", "");
        if (registryPath.equals("zookeeper") || registryPath.startsWith("zookeeper/")) {
            throw new ConfigurationException("option 'registryPath' = '" + registryPath + "' is reserved by ZooKeeper (/zookeeper);"
                    + " choose another path, such as the default 'services'");
        }
        String payload = options.string("registryPayload", METADATA_PAYLOAD);
        if (!payload.equals(METADATA_PAYLOAD) && !payload.equals(NO_PAYLOAD)) {
            throw new ConfigurationException("option 'registryPayload' = '" + payload + "' must be '" + METADATA_PAYLOAD
                    + "' (the metadata as a JSON object: Curator's ServiceDiscovery<Map>) or '" + NO_PAYLOAD
                    + "' (null: any ServiceDiscovery<T>, e.g. <Void>, reads it; instances then carry no metadata)");
        }
        return new ZooKeeperSettings(String.join(",", context.url().hosts()), context.url().path().replaceAll("/+$", ""),
                options.duration("sessionTimeout", Duration.ofSeconds(15)),
                options.duration("connectionTimeout", Duration.ofSeconds(10)),
                options.duration("retryBaseSleep", Duration.ofMillis(100)),
                options.duration("retryMaxSleep", Duration.ofSeconds(5)),
                options.integer("maxRetries", 5, 0, 29), user, password, registryPath.isEmpty() ? "services" : registryPath,
                payload.equals(METADATA_PAYLOAD));
    }
}
