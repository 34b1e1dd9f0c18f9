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
 */
public record Limits(int maxNameLength, int maxKeyLength, int maxValueBytes, int maxTopicLength, Pattern topicPattern,
                     String topicRule, int maxPayloadBytes, int maxHeadersBytes, Pattern nameCharacters, String nameCharactersRule) {

    /** Defaults that every supported backend accepts; drivers start from these. */
    public static final Limits PORTABLE = new Limits(200, 512, 1024 * 1024, 127, Pattern.compile("[A-Za-z0-9._-]+"),
            "only letters, digits, '.', '_' and '-'", 4 * 1024 * 1024, 64 * 1024, Pattern.compile("(?s).*"), "any character");

    /**
     * Returns a copy with a different value limit.
     *
     * @param bytes the largest KV value
     * @return the copy
     */
    public Limits withMaxValueBytes(int bytes) {
        return new Limits(maxNameLength, maxKeyLength, bytes, maxTopicLength, topicPattern, topicRule, maxPayloadBytes, maxHeadersBytes, nameCharacters, nameCharactersRule);
    }

    /**
     * Returns a copy with a different payload limit.
     *
     * @param bytes the largest message payload
     * @return the copy
     */
    public Limits withMaxPayloadBytes(int bytes) {
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxTopicLength, topicPattern, topicRule, bytes, maxHeadersBytes, nameCharacters, nameCharactersRule);
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
        return new Limits(maxNameLength, maxKeyLength, maxValueBytes, maxLength, pattern, rule, maxPayloadBytes, maxHeadersBytes, nameCharacters, nameCharactersRule);
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
                maxHeadersBytes, characters, rule);
    }
}
