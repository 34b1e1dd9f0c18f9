package io.cloudportal.kafka;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The options of a Kafka connection, read and checked once, turned into the three native client
 * configurations (producer, consumer, admin).
 *
 * @param bootstrapServers {@code host:port,…}
 * @param producer the producer's configuration
 * @param consumer the consumers' configuration, without a group id
 * @param admin the admin client's configuration
 * @param partitions partitions of the topics Portal creates
 * @param replicationFactor replication factor of the topics Portal creates, or empty for the broker's default
 * @param maxInFlight records a subscription holds fetched but not yet handled before it pauses fetching
 * @param maxInFlightBytes the same bound in key and payload bytes
 * @param maxRequestSize the producer's {@code max.request.size}, which bounds one record
 * @param connectTimeout how long the first contact with the cluster may take
 * @param maxBlock how long {@code publish} may wait for metadata or buffer space
 */
record KafkaSettings(String bootstrapServers, Map<String, Object> producer, Map<String, Object> consumer, Map<String, Object> admin,
                     int partitions, Optional<Short> replicationFactor, int maxInFlight, long maxInFlightBytes, int maxRequestSize, Duration connectTimeout,
                     Duration maxBlock) {

    /** Native settings go through under this prefix (all clients), or the client-specific ones below. */
    static final String PASS_THROUGH = "kafka.";
    static final String PRODUCER_PASS_THROUGH = "kafka.producer.";
    static final String CONSUMER_PASS_THROUGH = "kafka.consumer.";
    static final String ADMIN_PASS_THROUGH = "kafka.admin.";

    static final Set<String> OPTIONS = Set.of("clientId", "acks", "compression", "linger", "maxBlock", "deliveryTimeout", "partitions",
            "replicationFactor", "maxInFlight", "maxInFlightBytes", "connectTimeout", "sessionTimeout", "securityProtocol", "saslMechanism", "user", "password", "tlsCa",
            PASS_THROUGH + "*");

    /** Settings Portal's delivery guarantees rest on; passing them through would break them silently. */
    private static final Map<String, String> RESERVED = Map.of(
            CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, "the URL names the brokers",
            ConsumerConfig.GROUP_ID_CONFIG, "the group comes from SubscribeOptions",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "Portal commits after the handler returned",
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "Portal creates topics with the 'partitions' option",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "keys are UTF-8 text",
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "payloads are plain bytes",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "keys are UTF-8 text",
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "payloads are plain bytes");

    private static final Set<String> ACKS = Set.of("all", "-1", "0", "1");
    private static final Set<String> COMPRESSION = Set.of("none", "gzip", "snappy", "lz4", "zstd");
    private static final Set<String> SECURITY_PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Map<String, String> SASL_LOGIN_MODULES = Map.of(
            "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
            "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
            "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");
    static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;
    /** How long a silent group member keeps its partitions. */
    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(10);

    static KafkaSettings from(DriverContext context) {
        Options options = context.options();
        for (String host : context.url().hosts()) {
            if (!host.matches("[A-Za-z0-9._\\-\\[\\]:]+:[0-9]{1,5}")) {
                throw new ConfigurationException("host '" + host + "' in " + context.url()
                        + " is not host:port (Kafka brokers usually listen on 9092)");
            }
        }
        if (!context.url().path().isEmpty()) {
            throw new ConfigurationException("a Kafka URL has no path: '/" + context.url().path() + "' in " + context.url()
                    + "; topics are named per message");
        }
        String bootstrap = String.join(",", context.url().hosts());
        String clientId = options.string("clientId", "portal-" + context.connectionId());

        Map<String, Object> common = new HashMap<>();
        common.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        common.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
        security(context, options, common);

        String acks = options.choice("acks", "all", ACKS);
        Duration linger = options.duration("linger", Duration.ofMillis(5));
        Duration maxBlock = options.duration("maxBlock", Duration.ofSeconds(10));
        Duration deliveryTimeout = options.duration("deliveryTimeout", Duration.ofMinutes(2));
        // Kafka refuses delivery.timeout.ms < linger.ms + request.timeout.ms; a short delivery bound pulls the request timeout down with it.
        Duration requestTimeout = Duration.ofSeconds(30);
        if (deliveryTimeout.compareTo(linger.plus(requestTimeout)) < 0) {
            requestTimeout = deliveryTimeout.minus(linger);
            if (requestTimeout.compareTo(Duration.ofMillis(500)) < 0) {
                throw new ConfigurationException("option 'deliveryTimeout' = " + deliveryTimeout + " must leave at least 500ms beyond"
                        + " 'linger' = " + linger + " for a request to the broker");
            }
        }
        Map<String, Object> producer = new HashMap<>(common);
        producer.put(ProducerConfig.ACKS_CONFIG, acks);
        // Idempotence keeps per-key order and drops duplicates on retries, and Kafka allows it only with acks=all.
        producer.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all") || acks.equals("-1"));
        producer.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, options.choice("compression", "none", COMPRESSION));
        producer.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger.toMillis());
        producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, maxBlock.toMillis());
        producer.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis());
        producer.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) requestTimeout.toMillis());
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

        Map<String, Object> consumer = new HashMap<>(common);
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumer.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // A group that starts on a topic gets what was published before it joined: Kafka keeps it.
        consumer.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // Members learn of a rebalance from a heartbeat: Kafka's 3 s default makes every join and leave cost seconds per member.
        // A member that stops heartbeating keeps its partitions until the session times out: Kafka's 45 s default
        // is long for a consumer that heartbeats every second; 10 s is within the broker's default bounds (6 s to 30 min).
        Duration sessionTimeout = options.duration("sessionTimeout", DEFAULT_SESSION_TIMEOUT);
        if (sessionTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigurationException("option 'sessionTimeout' = " + sessionTimeout + " must be at least 1s (the broker's"
                    + " group.min.session.timeout.ms, 6s by default, may ask for more)");
        }
        consumer.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
        consumer.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.min(1000, sessionTimeout.toMillis() / 3));
        consumer.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        Map<String, Object> admin = new HashMap<>(common);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) maxBlock.toMillis());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(maxBlock.toMillis(), 30_000));

        Map<String, String> everyClient = new HashMap<>(options.withPrefix(PASS_THROUGH));
        everyClient.keySet().removeIf(name -> name.startsWith("producer.") || name.startsWith("consumer.") || name.startsWith("admin."));
        reserved(everyClient);
        for (Map<String, Object> client : List.of(producer, consumer, admin)) {
            client.putAll(everyClient);
        }
        // A client's own setting wins over one meant for every client.
        passThrough(options, PRODUCER_PASS_THROUGH, producer);
        passThrough(options, CONSUMER_PASS_THROUGH, consumer);
        passThrough(options, ADMIN_PASS_THROUGH, admin);

        int partitions = options.integer("partitions", 6, 1, 10_000);
        Optional<Short> replication = options.get("replicationFactor")
                .map(v -> (short) options.integer("replicationFactor", 1, 1, Short.MAX_VALUE));
        // Kafka's own fetch buffer holds up to fetch.max.bytes (50 MiB); Portal's backlog stays within the same order.
        int maxInFlight = options.integer("maxInFlight", 20_000, 1, 1_000_000);
        long maxInFlightBytes = options.integer("maxInFlightBytes", 32 * 1024 * 1024, 1024, Integer.MAX_VALUE);
        String requestSize = String.valueOf(producer.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DEFAULT_MAX_REQUEST_SIZE));
        int maxRequestSize;
        try {
            maxRequestSize = Integer.parseInt(requestSize.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("Kafka setting 'max.request.size' = '" + requestSize + "' must be a number of bytes", e);
        }
        return new KafkaSettings(bootstrap, Map.copyOf(producer), Map.copyOf(consumer), Map.copyOf(admin), partitions, replication,
                maxInFlight, maxInFlightBytes, maxRequestSize, options.duration("connectTimeout", Duration.ofSeconds(10)), maxBlock);
    }

    private static void security(DriverContext context, Options options, Map<String, Object> common) {
        Optional<String> user = options.get("user").or(() -> context.url().user());
        Optional<String> password = options.get("password").or(() -> context.url().password());
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigurationException("Kafka SASL authentication needs both a user and a password (in the URL or as the options"
                    + " 'user' and 'password'); " + (user.isPresent() ? "the password" : "the user") + " is missing");
        }
        Optional<String> tlsCa = options.get("tlsCa");
        String defaultProtocol = user.isPresent() ? (tlsCa.isPresent() ? "SASL_SSL" : "SASL_PLAINTEXT") : tlsCa.isPresent() ? "SSL" : "PLAINTEXT";
        String protocol = options.choice("securityProtocol", defaultProtocol, SECURITY_PROTOCOLS);
        common.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
        if (user.isPresent()) {
            if (!protocol.startsWith("SASL_")) {
                throw new ConfigurationException("a user and password need a SASL security protocol; 'securityProtocol' is " + protocol);
            }
            String mechanism = options.choice("saslMechanism", "PLAIN", SASL_LOGIN_MODULES.keySet());
            common.put(SaslConfigs.SASL_MECHANISM, mechanism);
            common.put(SaslConfigs.SASL_JAAS_CONFIG, SASL_LOGIN_MODULES.get(mechanism) + " required username=\"" + jaasQuoted(user.get())
                    + "\" password=\"" + jaasQuoted(password.get()) + "\";");
        }
        tlsCa.ifPresent(ca -> {
            if (!Files.isReadable(Path.of(ca))) {
                throw new ConfigurationException("option 'tlsCa' = '" + ca + "' is not a readable file");
            }
            common.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            common.put(SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, ca);
        });
    }

    private static String jaasQuoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void passThrough(Options options, String prefix, Map<String, Object> client) {
        Map<String, String> settings = options.withPrefix(prefix);
        reserved(settings);
        client.putAll(settings);
    }

    private static void reserved(Map<String, String> settings) {
        for (String name : settings.keySet()) {
            String why = RESERVED.get(name);
            if (why != null) {
                throw new ConfigurationException("Kafka setting '" + name + "' cannot be passed through: " + why);
            }
        }
    }

    @Override
    public String toString() {
        return "KafkaSettings[bootstrap=" + bootstrapServers + ", acks=" + producer.get(ProducerConfig.ACKS_CONFIG) + ", partitions="
                + partitions + ", security=" + producer.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG) + "]";
    }
}
