package io.cloudportal.rocketmq;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names the RocketMQ consumer group of a Portal group. RocketMQ wants every member of a group to
 * subscribe to the same topics (members that differ split each other's queues, and messages of
 * the queues given to a member that does not read that topic are never consumed), while a
 * Portal group is scoped by its topic, as on Kafka and RabbitMQ. So group {@code billing} on
 * topic {@code orders} is RocketMQ's group {@code billing|orders}; a plain RocketMQ client
 * joins it, or reads its dead letters in {@code %DLQ%billing|orders}, under that name.
 *
 * <p>RocketMQ allows {@code |} in group and topic names and Portal allows it in neither, so no
 * two (group, topic) pairs share a name. The group's retry topic {@code %RETRY%<name>} must
 * fit RocketMQ's 127 characters, so a name is at most 120: a longer one keeps its first 111
 * characters and ends with {@code |} and the first 8 hex digits of the SHA-256 of the topic's
 * UTF-8 bytes. The topic {@code %DLQ%<name>} (a dead-letter topic) appears as {@code DLQ|<name>}.
 */
final class ConsumerGroups {

    static final char SEPARATOR = '|';
    /** {@code %RETRY%} and the name make RocketMQ's longest topic. */
    static final int MAX_LENGTH = 127 - "%RETRY%".length();
    private static final int HASH_DIGITS = 8;

    private ConsumerGroups() {
    }

    /**
     * The RocketMQ consumer group of a Portal group on a topic.
     *
     * @param group the Portal group, already checked (at most {@link RocketMqDriver#MAX_GROUP_LENGTH})
     * @param topic the topic, already checked
     * @return the name
     */
    static String of(String group, String topic) {
        String topicPart = topic.startsWith(RocketMqDriver.DLQ_PREFIX)
                ? "DLQ" + SEPARATOR + topic.substring(RocketMqDriver.DLQ_PREFIX.length()) : topic;
        String name = group + SEPARATOR + topicPart;
        if (name.length() <= MAX_LENGTH) {
            return name;
        }
        return name.substring(0, MAX_LENGTH - HASH_DIGITS - 1) + SEPARATOR + sha256(topic).substring(0, HASH_DIGITS);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
