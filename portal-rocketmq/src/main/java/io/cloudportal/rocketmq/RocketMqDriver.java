package io.cloudportal.rocketmq;

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
import java.util.stream.Collectors;
import org.apache.rocketmq.common.topic.TopicValidator;

/**
 * The RocketMQ driver on rocketmq-client, {@code rocketmq://nameserver:port[;nameserver:port…]}:
 * a consumer group is a RocketMQ consumer group in CLUSTERING mode, a broadcast subscriber one in
 * BROADCASTING mode; a message's key picks its queue, so order per key holds; failed messages
 * are redelivered through RocketMQ's retry topic (or in place, for ordered and broadcast
 * subscriptions) and end in {@code %DLQ%<group>}.
 *
 * <p>Options: {@code producerGroup} ({@code portal-producer}), {@code sendTimeout} (3s),
 * {@code retriesWhenSendFailed} (2), {@code maxReconsumeTimes} (redeliveries for subscriptions that
 * keep the default attempts), {@code accessKey} / {@code secretKey} (ACL; also the URL's user-info
 * or {@code PORTAL_ROCKETMQ_ACCESS_KEY} / {@code PORTAL_ROCKETMQ_SECRET_KEY}), {@code queues} (8,
 * for topics Portal creates), {@code routeRefreshInterval} (30s), {@code heartbeat} (2s),
 * {@code delayLevels} (the broker's {@code messageDelayLevel}, RocketMQ's default).
 */
public final class RocketMqDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Facility.PUBLISHER, Facility.SUBSCRIBER),
            EnumSet.of(Guarantee.ORDER_PER_KEY, Guarantee.PERSISTENCE, Guarantee.CONSUMER_GROUPS, Guarantee.BROADCAST,
                    Guarantee.REDELIVERY, Guarantee.DEAD_LETTER, Guarantee.DELAYED_DELIVERY, Guarantee.REPLAY, Guarantee.CONSUMER_LAG, Guarantee.TOPIC_AUTO_CREATE));

    /** The prefix of the dead-letter topic RocketMQ keeps per consumer group. */
    static final String DLQ_PREFIX = "%DLQ%";
    /** RocketMQ's longest topic name. */
    static final int MAX_ROCKETMQ_TOPIC_LENGTH = 127;
    /** A topic leaves room for its broadcast subscribers' dead-letter topic, {@code <topic>-dlt}. */
    static final int MAX_TOPIC_LENGTH = MAX_ROCKETMQ_TOPIC_LENGTH - RocketMqSubscriber.BROADCAST_DEAD_LETTER_SUFFIX.length();
    /** A Portal group leaves room for the topic that scopes it in the RocketMQ group's name ({@link ConsumerGroups}). */
    static final int MAX_GROUP_LENGTH = 100;
    /** RocketMQ caps a message's properties at 32,767 bytes; its own take a few hundred. */
    private static final int MAX_HEADERS_BYTES = 30_000;

    /**
     * RocketMQ's topic rule (letters, digits, '_', '-'; no dots), without its system topics, at
     * most 123 characters; the dead-letter topics Portal makes ({@code %DLQ%<consumer group>},
     * {@code <topic>-dlt}) may be longer, up to RocketMQ's 127. Messages need a body:
     * {@link RocketMqPublisher} rejects an empty payload before any I/O.
     */
    static final Limits LIMITS = Limits.PORTABLE
            .withTopicRule(MAX_TOPIC_LENGTH, topicPattern(),
                    "only letters, digits, '_' and '-' (no dots), or '%DLQ%' and a consumer group, and not a RocketMQ system topic")
            .withMaxGroupLength(MAX_GROUP_LENGTH)
            .withDeadLetterTopics(Pattern.compile(Pattern.quote(DLQ_PREFIX) + ".*|.*" + RocketMqSubscriber.BROADCAST_DEAD_LETTER_SUFFIX),
                    MAX_ROCKETMQ_TOPIC_LENGTH)
            .withMaxPayloadBytes(4 * 1024 * 1024)
            .withMaxHeadersBytes(MAX_HEADERS_BYTES);

    private static Pattern topicPattern() {
        String system = TopicValidator.getSystemTopicSet().stream().map(Pattern::quote).collect(Collectors.joining("|"));
        return Pattern.compile("(?!(?:" + system + ")$)(?!" + Pattern.quote(TopicValidator.SYSTEM_TOPIC_PREFIX) + ")"
                + "(?:" + Pattern.quote(DLQ_PREFIX) + "[A-Za-z0-9_|-]+|[A-Za-z0-9_-]+)");
    }

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public RocketMqDriver() {
    }

    @Override
    public String name() {
        return "rocketmq";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("rocketmq");
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-rocketmq";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return RocketMqSettings.OPTIONS;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        return RocketMqConnection.open(RocketMqSettings.from(context, System.getenv()), context);
    }
}
