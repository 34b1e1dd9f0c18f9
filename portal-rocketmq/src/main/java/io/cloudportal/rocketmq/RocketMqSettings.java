package io.cloudportal.rocketmq;

import io.cloudportal.ConfigurationException;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The options of a RocketMQ connection, read and checked once.
 *
 * @param nameServers {@code host:port;…} of the NameServers, as RocketMQ clients take them
 * @param producerGroup the producer group of the connection's producer
 * @param sendTimeout how long one send may take before its future fails
 * @param retriesWhenSendFailed how often RocketMQ re-sends a message whose send failed (another broker if there is one)
 * @param maxReconsumeTimes redeliveries before dead-lettering, for subscriptions that keep the default attempts; empty: Portal's default
 * @param accessKey the ACL access key, or null for none
 * @param secretKey the ACL secret key (never shown), or null
 * @param queues the queues of a topic Portal creates
 * @param routeRefreshInterval how often clients ask the NameServers for routes (RocketMQ's pollNameServerInterval)
 * @param heartbeat how often the connection checks that a broker is registered, which drives its state
 * @param delayLevels the broker's delay levels ({@code messageDelayLevel}), level 1 first
 */
record RocketMqSettings(String nameServers, String producerGroup, Duration sendTimeout, int retriesWhenSendFailed,
                        OptionalInt maxReconsumeTimes, String accessKey, String secretKey, int queues, Duration routeRefreshInterval,
                        Duration heartbeat, List<Duration> delayLevels) {

    static final Set<String> OPTIONS = Set.of("producerGroup", "sendTimeout", "retriesWhenSendFailed", "maxReconsumeTimes", "accessKey",
            "secretKey", "queues", "routeRefreshInterval", "heartbeat", "delayLevels");
    static final String ACCESS_KEY_VARIABLE = "PORTAL_ROCKETMQ_ACCESS_KEY";
    static final String SECRET_KEY_VARIABLE = "PORTAL_ROCKETMQ_SECRET_KEY";
    /** RocketMQ's default {@code messageDelayLevel}. */
    static final String DEFAULT_DELAY_LEVELS = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

    static RocketMqSettings from(DriverContext context, Map<String, String> environment) {
        Options options = context.options();
        List<String> hosts = new ArrayList<>();
        for (String host : context.url().hosts()) {
            if (!host.matches("[A-Za-z0-9._\\-\\[\\]:]+")) {
                throw new ConfigurationException("host '" + host + "' in " + context.url() + " is not host[:port]");
            }
            hosts.add(host.matches(".*:[0-9]{1,5}") ? host : host + ":9876");
        }
        String accessKey = context.url().user().or(() -> options.get("accessKey"))
                .or(() -> Optional.ofNullable(environment.get(ACCESS_KEY_VARIABLE))).orElse(null);
        String secretKey = context.url().password().or(() -> options.get("secretKey"))
                .or(() -> Optional.ofNullable(environment.get(SECRET_KEY_VARIABLE))).orElse(null);
        if ((accessKey == null) != (secretKey == null)) {
            throw new ConfigurationException("RocketMQ ACL needs both an access key and a secret key, but only the "
                    + (accessKey == null ? "secret" : "access") + " key is set (URL user-info, options 'accessKey'/'secretKey', or "
                    + ACCESS_KEY_VARIABLE + "/" + SECRET_KEY_VARIABLE + ")");
        }
        String producerGroup = options.string("producerGroup", "portal-producer");
        if (!producerGroup.matches("[A-Za-z0-9_-]{1,255}")) {
            throw new ConfigurationException("option 'producerGroup' = '" + producerGroup
                    + "' must be 1 to 255 letters, digits, '_' or '-' (RocketMQ's group rule)");
        }
        OptionalInt maxReconsumeTimes = options.get("maxReconsumeTimes").isPresent()
                ? OptionalInt.of(options.integer("maxReconsumeTimes", SubscribeOptions.DEFAULT_MAX_ATTEMPTS - 1, 0, 16))
                : OptionalInt.empty();
        return new RocketMqSettings(String.join(";", hosts), producerGroup, positive(options, "sendTimeout", Duration.ofSeconds(3)),
                options.integer("retriesWhenSendFailed", 2, 0, 16), maxReconsumeTimes, accessKey, secretKey,
                options.integer("queues", 8, 1, 1024), positive(options, "routeRefreshInterval", Duration.ofSeconds(30)),
                positive(options, "heartbeat", Duration.ofSeconds(2)), delayLevels(options.string("delayLevels", DEFAULT_DELAY_LEVELS)));
    }

    private static Duration positive(Options options, String name, Duration defaultValue) {
        Duration value = options.duration(name, defaultValue);
        if (value.isZero() || value.isNegative()) {
            throw new ConfigurationException("option '" + name + "' = " + value + " must be positive");
        }
        return value;
    }

    /** Parses RocketMQ's own notation: {@code 1s 5s 1m 2h}, levels in increasing order. */
    static List<Duration> delayLevels(String levels) {
        List<Duration> parsed = new ArrayList<>();
        for (String level : levels.strip().split("\\s+")) {
            if (!level.matches("[1-9][0-9]*[smhd]")) {
                throw new ConfigurationException("option 'delayLevels' = '" + levels + "': '" + level
                        + "' is not a number followed by s, m, h or d (RocketMQ's messageDelayLevel notation)");
            }
            long amount = Long.parseLong(level.substring(0, level.length() - 1));
            Duration duration = switch (level.charAt(level.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
            if (!parsed.isEmpty() && duration.compareTo(parsed.get(parsed.size() - 1)) <= 0) {
                throw new ConfigurationException("option 'delayLevels' = '" + levels + "' must increase: '" + level + "' does not");
            }
            parsed.add(duration);
        }
        return List.copyOf(parsed);
    }

    /**
     * The first delay level at least {@code delay} long: a message is never delivered early.
     *
     * @return the level, from 1; or 0 if even the longest level is shorter
     */
    int delayLevelAtLeast(Duration delay) {
        for (int i = 0; i < delayLevels.size(); i++) {
            if (delayLevels.get(i).compareTo(delay) >= 0) {
                return i + 1;
            }
        }
        return 0;
    }

    Duration longestDelay() {
        return delayLevels.get(delayLevels.size() - 1);
    }

    boolean acl() {
        return accessKey != null;
    }

    @Override
    public String toString() {
        return "RocketMqSettings[rocketmq://" + nameServers + ", producerGroup=" + producerGroup + ", sendTimeout=" + sendTimeout
                + ", retriesWhenSendFailed=" + retriesWhenSendFailed + ", maxReconsumeTimes="
                + (maxReconsumeTimes.isPresent() ? maxReconsumeTimes.getAsInt() : "default") + ", accessKey=" + accessKey
                + ", secretKey=" + (secretKey == null ? "none" : "****") + ", queues=" + queues + ", routeRefreshInterval="
                + routeRefreshInterval + ", heartbeat=" + heartbeat + ", delayLevels=" + delayLevels.size() + "]";
    }
}
