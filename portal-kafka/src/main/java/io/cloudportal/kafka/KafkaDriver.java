package io.cloudportal.kafka;

import io.cloudportal.Capabilities;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Kafka driver, {@code kafka://host:port[,host:port…]}, on kafka-clients: one producer and
 * one admin client per connection, one consumer per subscription.
 *
 * <p>Options: {@code clientId}, {@code acks} ({@code all} by default, with idempotence),
 * {@code compression}, {@code linger} (5ms), {@code maxBlock} (10s: the longest a publish waits
 * for metadata or buffer space), {@code deliveryTimeout} (2m: when an unacknowledged publish
 * fails), {@code partitions} (6) and {@code replicationFactor} (the broker's default) for the
 * topics Portal creates, {@code maxInFlight} and {@code maxInFlightBytes} (20,000 records, 32 MiB
 * fetched ahead of the handlers before fetching pauses), {@code connectTimeout} (10s), and security: {@code securityProtocol},
 * {@code saslMechanism}, {@code user}, {@code password}, {@code tlsCa}. Any native client setting
 * passes through as {@code kafka.<setting>} (every client), {@code kafka.producer.<setting>},
 * {@code kafka.consumer.<setting>} or {@code kafka.admin.<setting>}.
 */
public final class KafkaDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Facility.PUBLISHER, Facility.SUBSCRIBER),
            EnumSet.of(Guarantee.ORDER_PER_KEY, Guarantee.PERSISTENCE, Guarantee.CONSUMER_GROUPS, Guarantee.BROADCAST,
                    Guarantee.REDELIVERY, Guarantee.DEAD_LETTER, Guarantee.REPLAY, Guarantee.CONSUMER_LAG, Guarantee.TOPIC_AUTO_CREATE));

    /**
     * Kafka allows 249 characters; Portal keeps four for the default dead-letter topic's
     * {@code .dlt}, which may be 249 long (Limits#maxDeadLetterTopicLength).
     */
    static final int MAX_TOPIC_LENGTH = 249 - io.cloudportal.spi.Limits.DEAD_LETTER_SUFFIX.length();

    /**
     * Kafka's topic rules ({@code [a-zA-Z0-9._-]}, neither {@code .} nor {@code ..}); the payload
     * bound is the producer's default {@code max.request.size}, which a connection may raise.
     */
    static final Limits LIMITS = Limits.PORTABLE
            .withTopicRule(MAX_TOPIC_LENGTH, Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._-]+"),
                    "only letters, digits, '.', '_' and '-', and not '.' or '..'")
            .withMaxPayloadBytes(1024 * 1024)
            .withMaxGroupLength(MAX_TOPIC_LENGTH);

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public KafkaDriver() {
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("kafka");
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-kafka";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return KafkaSettings.OPTIONS;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        return KafkaConnection.open(KafkaSettings.from(context), context);
    }
}
