package io.cloudportal.spi;

import io.cloudportal.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The input rules every driver shares. Each check throws {@link InvalidArgumentException} with a
 * message that names the argument, shows its value and states the rule, before any I/O.
 * Drivers call these for rules of their own too, so every message reads the same.
 */
public final class Rules {

    private static final int SHOWN_VALUE_CHARS = 80;

    private Rules() {
    }

    /**
     * Checks a name (lock, election, service, instance id, candidate id): non-empty, no
     * control characters, no {@code /}, at most {@code maxLength} characters.
     *
     * @param what what the name names, e.g. "lock name"
     * @param value the name
     * @param maxLength the longest allowed
     * @return the value, for chaining
     */
    public static String name(String what, String value, int maxLength) {
        notBlank(what, value);
        maxLength(what, value, maxLength);
        noControlCharacters(what, value);
        if (value.indexOf('/') >= 0) {
            throw invalid(what, value, "must not contain '/'");
        }
        if (value.equals(".") || value.equals("..")) {
            throw invalid(what, value, "must not be '.' or '..'");
        }
        return value;
    }

    /**
     * Checks a KV key: a {@code /}-separated path of non-empty segments without a leading or
     * trailing {@code /}, no {@code .} or {@code ..} segment, no control characters.
     *
     * @param value the key
     * @param maxLength the longest allowed
     * @return the value, for chaining
     */
    public static String key(String value, int maxLength) {
        notBlank("key", value);
        return pathLike("key", value, maxLength);
    }

    /**
     * Checks a KV prefix: empty (everything) or a key-like path that may end with {@code /}.
     *
     * @param value the prefix
     * @param maxLength the longest allowed
     * @return the value, for chaining
     */
    public static String prefix(String value, int maxLength) {
        notNull("prefix", value);
        if (value.isEmpty()) {
            return value;
        }
        String path = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
        if (path.isEmpty()) {
            throw invalid("prefix", value, "must be empty or a key path such as 'app/' (not '/' alone)");
        }
        pathLike("prefix", path, maxLength);
        return value;
    }

    private static String pathLike(String what, String value, int maxLength) {
        maxLength(what, value, maxLength);
        noControlCharacters(what, value);
        if (value.startsWith("/") || value.endsWith("/")) {
            throw invalid(what, value, "must not start or end with '/' (keys are relative to the connection's namespace)");
        }
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty()) {
                throw invalid(what, value, "must not contain an empty segment ('//')");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw invalid(what, value, "must not contain a '.' or '..' segment");
            }
        }
        return value;
    }

    /**
     * Checks that a name or key uses only the characters the backend can store.
     *
     * @param what what the value is, e.g. "key"
     * @param value the value, already checked by {@link #name} or {@link #key}
     * @param limits the backend's limits
     * @return the value, for chaining
     */
    public static String characters(String what, String value, Limits limits) {
        if (!limits.nameCharacters().matcher(value).matches()) {
            throw invalid(what, value, "must use " + limits.nameCharactersRule());
        }
        return value;
    }

    /**
     * Checks a topic name against the backend's limits. A dead-letter topic of the driver's own
     * naming may be longer than a topic, by what the driver adds to the topic it serves.
     *
     * @param what "topic" or "dead-letter topic"
     * @param value the name
     * @param limits the backend's limits
     * @return the value, for chaining
     */
    public static String topic(String what, String value, Limits limits) {
        notBlank(what, value);
        boolean deadLetters = value.length() > limits.maxTopicLength() && limits.deadLetterTopics().matcher(value).matches();
        maxLength(what, value, deadLetters ? limits.maxDeadLetterTopicLength() : limits.maxTopicLength());
        if (!limits.topicPattern().matcher(value).matches()) {
            throw invalid(what, value, "must use " + limits.topicRule());
        }
        return value;
    }

    /**
     * Checks a consumer group name: the topic characters, at most the backend's group length.
     *
     * @param value the group name
     * @param limits the backend's limits
     * @return the value, for chaining
     */
    public static String group(String value, Limits limits) {
        notBlank("group", value);
        maxLength("group", value, limits.maxGroupLength());
        if (!limits.topicPattern().matcher(value).matches()) {
            throw invalid("group", value, "must use " + limits.topicRule());
        }
        return value;
    }

    /**
     * Checks message headers: names non-empty, no control characters in names or values
     * (any other Unicode text is fine), total size within the limit.
     *
     * @param headers the headers
     * @param maxBytes the largest total size in UTF-8 bytes
     */
    public static void headers(Map<String, String> headers, int maxBytes) {
        attributes("header", headers, maxBytes);
    }

    /**
     * Checks string attributes (message headers, instance metadata): names non-empty, no
     * control characters in names or values (any other Unicode text is fine), total size
     * within the limit.
     *
     * @param what "header" or "metadata entry"
     * @param attributes the attributes
     * @param maxBytes the largest total size in UTF-8 bytes
     */
    public static void attributes(String what, Map<String, String> attributes, int maxBytes) {
        notNull(what + "s", attributes);
        long total = 0;
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            String name = attribute.getKey();
            notBlank(what + " name", name);
            noControlCharacters(what + " name", name);
            if (attribute.getValue() == null) {
                throw invalid(what + " '" + show(name) + "'", null, "must have a value (use an empty string for none)");
            }
            noControlCharacters(what + " '" + show(name) + "' value", attribute.getValue());
            total += name.getBytes(StandardCharsets.UTF_8).length + attribute.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (total > maxBytes) {
            throw new InvalidArgumentException(what + "s are " + total + " bytes: at most " + maxBytes + " bytes are allowed");
        }
    }

    /**
     * Checks free text such as a message key or a host: non-empty, no control characters,
     * at most {@code maxLength} characters.
     *
     * @param what what the text is
     * @param value the text
     * @param maxLength the longest allowed
     * @return the value, for chaining
     */
    public static String text(String what, String value, int maxLength) {
        notBlank(what, value);
        maxLength(what, value, maxLength);
        noControlCharacters(what, value);
        return value;
    }

    /**
     * Checks a byte array's size.
     *
     * @param what what the bytes are, e.g. "payload"
     * @param bytes the bytes
     * @param maxBytes the largest allowed
     * @return the bytes, for chaining
     */
    public static byte[] size(String what, byte[] bytes, int maxBytes) {
        notNull(what, bytes);
        if (bytes.length > maxBytes) {
            throw new InvalidArgumentException(what + " is " + bytes.length + " bytes: at most " + maxBytes + " bytes are allowed");
        }
        return bytes;
    }

    /**
     * Checks a duration is positive (or zero, if allowed).
     *
     * @param what what the duration is, e.g. "timeout"
     * @param value the duration
     * @param zeroAllowed whether zero is fine
     * @return the value, for chaining
     */
    public static Duration duration(String what, Duration value, boolean zeroAllowed) {
        notNull(what, value);
        if (value.isNegative() || (!zeroAllowed && value.isZero())) {
            throw invalid(what, value.toString(), zeroAllowed ? "must not be negative" : "must be positive");
        }
        return value;
    }

    /**
     * Checks an integer lies in a range.
     *
     * @param what what the number is
     * @param value the number
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value, for chaining
     */
    public static int range(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(what, Integer.toString(value), "must be between " + min + " and " + max);
        }
        return value;
    }

    /**
     * Checks a value is not null.
     *
     * @param what what the value is
     * @param value the value
     * @param <T> its type
     * @return the value, for chaining
     */
    public static <T> T notNull(String what, T value) {
        if (value == null) {
            throw new InvalidArgumentException(what + " is null: it is required");
        }
        return value;
    }

    /**
     * Checks a string is neither null, empty nor only whitespace.
     *
     * @param what what the string is
     * @param value the string
     * @return the value, for chaining
     */
    public static String notBlank(String what, String value) {
        notNull(what, value);
        if (value.isBlank()) {
            throw invalid(what, value, "must not be empty or blank");
        }
        return value;
    }

    private static void maxLength(String what, String value, int maxLength) {
        if (value.length() > maxLength) {
            throw invalid(what, value, "is " + value.length() + " characters long: at most " + maxLength + " are allowed");
        }
    }

    private static void noControlCharacters(String what, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid(what, value, "must not contain control characters (found U+" + String.format("%04X", (int) c) + " at index " + i + ")");
            }
            // An unpaired surrogate has no UTF-8 form: every backend would store something else ('?').
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(what, value, "must be valid Unicode text (found an unpaired surrogate U+" + String.format("%04X", (int) c)
                        + " at index " + i + ")");
            }
        }
    }

    /**
     * Builds the exception for a broken rule, showing the value (shortened, control characters escaped).
     *
     * @param what what the value is
     * @param value the value, or null
     * @param rule the rule it broke
     * @return the exception to throw
     */
    public static InvalidArgumentException invalid(String what, String value, String rule) {
        return new InvalidArgumentException(what + " '" + show(value) + "' " + rule);
    }

    private static String show(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < value.length() && shown.length() < SHOWN_VALUE_CHARS; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                shown.append(String.format("\\u%04x", (int) c));
            } else {
                shown.append(c);
            }
        }
        if (shown.length() >= SHOWN_VALUE_CHARS && value.length() > SHOWN_VALUE_CHARS) {
            shown.append("…");
        }
        return shown.toString();
    }
}
