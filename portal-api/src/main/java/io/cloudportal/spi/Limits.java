package io.cloudportal.spi;

import java.util.regex.Pattern;

/**
 * The input rules of one backend, enforced by the portable layer before any I/O on top of the
 * rules every driver shares. A driver narrows the defaults to what its server accepts.
 *
 * @param maxNameLength longest lock, election, service, instance id, candidate id or group name, in characters
 * @param maxKeyLength longest KV key, in characters
 * @param maxValueBytes largest KV value
 * @param maxTopicLength longest topic name, in characters
 * @param topicPattern the characters a topic (and group) name may use
 * @param topicRule the rule {@code topicPattern} expresses, in words, for error messages
 * @param maxPayloadBytes largest message payload
 * @param maxHeadersBytes largest sum of header names and values, in UTF-8 bytes
 * @param nameCharacters the characters names and keys may use (beyond the portable rules)
 * @param nameCharactersRule the rule {@code nameCharacters} expresses, in words, for error messages
 * @param maxGroupLength longest consumer group name, in characters (groups use the topic characters)
 * @param deadLetterTopics the names of the dead-letter topics the driver makes, which may be longer than a topic:
 *                         every topic Portal accepts must leave room for its dead-letter topic, and that one must
 *                         be a topic Portal accepts too
 * @param maxDeadLetterTopicLength longest name matching {@code deadLetterTopics}, in characters
 */
public record Limits(int maxNameLength, int maxKeyLength, int maxValueBytes, int maxTopicLength, Pattern topicPattern,
                     String topicRule, int maxPayloadBytes, int maxHeadersBytes, Pattern nameCharacters, String nameCharactersRule,
                     int maxGroupLength, Pattern deadLetterTopics, int maxDeadLetterTopicLength) {

    /** The default dead-letter topic of {@code <topic>}: {@code <topic>.dlt}. */
    public static final String DEAD_LETTER_SUFFIX = ".dlt";

    private static final Pattern SUFFIXED_DEAD_LETTER_TOPICS = Pattern.compile(".+" + Pattern.quote(DEAD_LETTER_SUFFIX));

    /** Defaults that every supported backend accepts; drivers start from these. */
    public static final Limits PORTABLE = new Limits(200, 512, 1024 * 1024, 127, Pattern.compile("[A-Za-z0-9._-]+"),
            "only letters, digits, '.', '_' and '-'", 4 * 1024 * 1024, 64 * 1024, Pattern.compile("(?s).*"), "any character",
            127, SUFFIXED_DEAD_LETTER_TOPICS, 127 + DEAD_LETTER_SUFFIX.length());

    /**
     * Returns a copy with a different value limit.
     *
     * @param bytes the largest KV value
     * @return the copy
     */
    public Limits withMaxValueBytes(int bytes) {
        return new Limits(maxNameLength, maxKeyLength, bytes, maxTopicLength, topicPattern, topicRule, maxPayloadBytes, maxHeadersBytes, nameCharacters, nameCharactersRule, maxGroupLength,
                deadLetterTopics, maxDeadLetterTopicLength);
    }

    /**
     * Returns a copy with a different payload limit.
     *
     * @param bytes the largest message payload
     * @return the copy
     */
    public Limits withMaxPayloadBytes(int bytes) {
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxTopicLength, topicPattern, topicRule, bytes, maxHeadersBytes, nameCharacters, nameCharactersRule, maxGroupLength,
                deadLetterTopics, maxDeadLetterTopicLength);
    }

    /**
     * Returns a copy with different topic rules.
     *
     * @param maxLength the longest topic name
     * @param pattern the characters a topic may use
     * @param rule the rule in words
     * @return the copy
     */
    public Limits withTopicRule(int maxLength, Pattern pattern, String rule) {
        // A suffixed dead-letter topic follows its topic's length.
        int deadLetterLength = deadLetterTopics == SUFFIXED_DEAD_LETTER_TOPICS ? maxLength + DEAD_LETTER_SUFFIX.length() : maxDeadLetterTopicLength;
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxLength, pattern, rule, maxPayloadBytes, maxHeadersBytes, nameCharacters,
                nameCharactersRule, maxGroupLength, deadLetterTopics, deadLetterLength);
    }

    /**
     * Returns a copy with a different limit for the sum of header names and values.
     *
     * @param bytes the largest sum, in UTF-8 bytes
     * @return the copy
     */
    public Limits withMaxHeadersBytes(int bytes) {
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxTopicLength, topicPattern, topicRule, maxPayloadBytes, bytes,
                nameCharacters, nameCharactersRule, maxGroupLength, deadLetterTopics, maxDeadLetterTopicLength);
    }

    /**
     * Returns a copy with a different group length limit.
     *
     * @param maxLength the longest consumer group name
     * @return the copy
     */
    public Limits withMaxGroupLength(int maxLength) {
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxTopicLength, topicPattern, topicRule, maxPayloadBytes, maxHeadersBytes,
                nameCharacters, nameCharactersRule, maxLength, deadLetterTopics, maxDeadLetterTopicLength);
    }

    /**
     * Returns a copy with the driver's own dead-letter topic names.
     *
     * @param names the names of the dead-letter topics the driver makes
     * @param maxLength the longest of them
     * @return the copy
     */
    public Limits withDeadLetterTopics(Pattern names, int maxLength) {
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxTopicLength, topicPattern, topicRule, maxPayloadBytes, maxHeadersBytes,
                nameCharacters, nameCharactersRule, maxGroupLength, names, maxLength);
    }

    /**
     * Returns a copy with a narrower character set for names and keys.
     *
     * @param characters the characters names and keys may use
     * @param rule the rule in words
     * @return the copy
     */
    public Limits withNameCharacters(Pattern characters, String rule) {
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxTopicLength, topicPattern, topicRule, maxPayloadBytes,
                maxHeadersBytes, characters, rule, maxGroupLength, deadLetterTopics, maxDeadLetterTopicLength);
    }
}
