package io.cloudportal.rabbitmq;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The options of a RabbitMQ connection, read and checked once.
 *
 * @param tls whether the URL is {@code amqps://}
 * @param addresses {@code host:port} of each broker to try, in order
 * @param virtualHost the vhost (the URL's path; {@code /} when empty)
 * @param user the user name
 * @param password the password (never shown)
 * @param prefetch deliveries a subscription holds unacknowledged (basic.qos)
 * @param confirmTimeout how long a publish waits for the broker's confirm before its future fails
 * @param maxOutstandingConfirms publishes awaiting a confirm before {@code publish} waits for room
 * @param queueType the type of a consumer group's queue: {@code quorum} or {@code classic}
 * @param mandatory whether a message no queue takes fails its publish (returned) instead of being dropped
 * @param connectTimeout how long the first connection may take
 * @param recoveryInterval the pause between reconnection attempts, and before a channel closed by an error is reopened
 * @param heartbeat the AMQP heartbeat
 */
record RabbitMqSettings(boolean tls, List<String> addresses, String virtualHost, String user, String password, int prefetch,
                        Duration confirmTimeout, int maxOutstandingConfirms, String queueType, boolean mandatory,
                        Duration connectTimeout, Duration recoveryInterval, Duration heartbeat, Optional<Path> tlsCa) {

    static final Set<String> OPTIONS = Set.of("user", "password", "prefetch", "confirmTimeout", "maxOutstandingConfirms", "queueType",
            "mandatory", "connectTimeout", "recoveryInterval", "heartbeat", "tlsCa");
    static final String USER_VARIABLE = "PORTAL_RABBITMQ_USER";
    static final String PASSWORD_VARIABLE = "PORTAL_RABBITMQ_PASSWORD";
    private static final Set<String> QUEUE_TYPES = Set.of("quorum", "classic");

    /** A PEM file of the CAs that sign the broker's certificate, instead of the JVM's trust store; only with amqps://. */
    private static Optional<Path> tlsCa(Options options, boolean tls) {
        Optional<Path> ca = options.get("tlsCa").map(Path::of);
        if (ca.isPresent() && !tls) {
            throw new ConfigurationException("option 'tlsCa' needs an amqps:// URL");
        }
        ca.ifPresent(file -> {
            if (!Files.isReadable(file)) {
                throw new ConfigurationException("option 'tlsCa' = '" + file + "' is not a readable file");
            }
        });
        return ca;
    }

    static RabbitMqSettings from(DriverContext context, Map<String, String> environment) {
        Options options = context.options();
        boolean tls = context.url().scheme().equals("amqps");
        int defaultPort = tls ? 5671 : 5672;
        List<String> addresses = context.url().hosts().stream().map(host -> {
            if (!host.matches("[A-Za-z0-9._\\-\\[\\]:]+")) {
                throw new ConfigurationException("host '" + host + "' in " + context.url() + " is not host[:port]");
            }
            return host.matches(".*:[0-9]{1,5}") ? host : host + ":" + defaultPort;
        }).toList();
        String vhost = context.url().path().isEmpty() ? "/" : context.url().path();
        String user = context.url().user().or(() -> options.get("user")).or(() -> Optional.ofNullable(environment.get(USER_VARIABLE)))
                .orElse("guest");
        String password = context.url().password().or(() -> options.get("password"))
                .or(() -> Optional.ofNullable(environment.get(PASSWORD_VARIABLE))).orElse("guest");
        int prefetch = options.integer("prefetch", 100, 1, 65_535);
        Duration confirmTimeout = options.duration("confirmTimeout", Duration.ofSeconds(30));
        int maxOutstanding = options.integer("maxOutstandingConfirms", 10_000, 1, 1_000_000);
        String queueType = options.choice("queueType", "quorum", QUEUE_TYPES);
        return new RabbitMqSettings(tls, addresses, vhost, user, password, prefetch, confirmTimeout, maxOutstanding, queueType,
                options.bool("mandatory", false), options.duration("connectTimeout", Duration.ofSeconds(10)),
                options.duration("recoveryInterval", Duration.ofSeconds(1)), options.duration("heartbeat", Duration.ofSeconds(10)),
                tlsCa(options, tls));
    }

    String brokers() {
        return (tls ? "amqps://" : "amqp://") + String.join(",", addresses) + (virtualHost.equals("/") ? "" : "/" + virtualHost);
    }

    @Override
    public String toString() {
        return "RabbitMqSettings[" + brokers() + ", user=" + user + ", password=****, prefetch=" + prefetch + ", confirmTimeout="
                + confirmTimeout + ", maxOutstandingConfirms=" + maxOutstandingConfirms + ", queueType=" + queueType + ", mandatory="
                + mandatory + ", connectTimeout=" + connectTimeout + ", recoveryInterval=" + recoveryInterval + ", heartbeat=" + heartbeat + "]";
    }
}
