package io.cloudportal.rabbitmq;

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
 * The RabbitMQ driver on amqp-client, {@code amqp://user:password@host:port/vhost} or
 * {@code amqps://…}: a topic is a topic exchange, a consumer group a durable (quorum) queue,
 * a broadcast subscriber an exclusive queue; publishes are confirmed, deliveries acknowledged
 * after the handler returned.
 *
 * <p>Options: {@code user}, {@code password} (also from the URL or {@code PORTAL_RABBITMQ_USER} /
 * {@code PORTAL_RABBITMQ_PASSWORD}; guest/guest otherwise), {@code prefetch} (100),
 * {@code confirmTimeout} (30s), {@code maxOutstandingConfirms} (10,000), {@code queueType}
 * ({@code quorum} or {@code classic}), {@code mandatory} (false: true fails a publish no queue
 * takes), {@code connectTimeout} (10s), {@code recoveryInterval} (1s), {@code heartbeat} (10s).
 */
public final class RabbitMqDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Facility.PUBLISHER, Facility.SUBSCRIBER),
            EnumSet.of(Guarantee.CONSUMER_GROUPS, Guarantee.BROADCAST, Guarantee.REDELIVERY, Guarantee.DEAD_LETTER,
                    Guarantee.TOPIC_AUTO_CREATE));

    /**
     * RabbitMQ names are at most 255 bytes and {@code amq.} is reserved. A group's queue is
     * {@code <topic>.<group>}, also for the dead-letter topic {@code <topic>.dlt}: topics keep
     * Portal's 127 characters, dead-letter topics 131, so groups have 123.
     */
    static final int MAX_GROUP_LENGTH = 255 - (Limits.PORTABLE.maxTopicLength() + Limits.DEAD_LETTER_SUFFIX.length()) - 1;

    static final Limits LIMITS = Limits.PORTABLE.withTopicRule(Limits.PORTABLE.maxTopicLength(),
            Pattern.compile("(?!amq\\.)[A-Za-z0-9._-]+"), "only letters, digits, '.', '_' and '-', and not the prefix 'amq.' (RabbitMQ reserves it)")
            .withMaxGroupLength(MAX_GROUP_LENGTH);

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public RabbitMqDriver() {
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("amqp", "amqps");
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-rabbitmq";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return RabbitMqSettings.OPTIONS;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        return RabbitMqConnection.open(RabbitMqSettings.from(context, System.getenv()), context);
    }
}
