package io.cloudportal.spi;

import io.cloudportal.ConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The options of a connection, merged from the URL's query, properties and the environment, and
 * already checked against the names the driver accepts. Typed getters fail with a message that
 * names the option and the rule; a secret option's value never appears in a message or in
 * {@link #toString()}.
 */
public final class Options {

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    private final Map<String, String> values;

    /**
     * Wraps checked option values.
     *
     * @param values option name to value
     */
    public Options(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    /**
     * The raw value of an option.
     *
     * @param name the option name
     * @return its value, if set
     */
    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /**
     * The options whose names start with a prefix, for settings passed through to a native
     * client; the prefix is cut from each name.
     *
     * @param prefix e.g. {@code kafka.}
     * @return name without the prefix to value, in name order
     */
    public Map<String, String> withPrefix(String prefix) {
        Map<String, String> matching = new TreeMap<>();
        values.forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                matching.put(name.substring(prefix.length()), value);
            }
        });
        return matching;
    }

    /**
     * A text option.
     *
     * @param name the option name
     * @param defaultValue used when the option is not set
     * @return the value
     */
    public String string(String name, String defaultValue) {
        return values.getOrDefault(name, defaultValue);
    }

    /**
     * An option that takes one of a few values, matched ignoring case.
     *
     * @param name the option name
     * @param defaultValue used when the option is not set
     * @param allowed the values, each in the spelling the backend wants
     * @return the allowed value as spelled in {@code allowed}
     * @throws ConfigurationException if the value is none of them
     */
    public String choice(String name, String defaultValue, Set<String> allowed) {
        String value = string(name, defaultValue).strip();
        return allowed.stream().filter(value::equalsIgnoreCase).findFirst().orElseThrow(() -> new ConfigurationException(
                describe(name, value) + " must be one of " + new TreeSet<>(allowed)));
    }

    /**
     * An integer option.
     *
     * @param name the option name
     * @param defaultValue used when the option is not set
     * @param min the smallest allowed
     * @param max the largest allowed
     * @return the value
     * @throws ConfigurationException if the value is not an integer in range
     */
    public int integer(String name, int defaultValue, int min, int max) {
        String raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.strip());
            if (value < min || value > max) {
                throw new ConfigurationException(describe(name, raw) + " must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigurationException(describe(name, raw) + " is not an integer", e);
        }
    }

    /**
     * A boolean option: {@code true} or {@code false}.
     *
     * @param name the option name
     * @param defaultValue used when the option is not set
     * @return the value
     * @throws ConfigurationException if the value is neither
     */
    public boolean bool(String name, boolean defaultValue) {
        String raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigurationException(describe(name, raw) + " must be 'true' or 'false'");
        };
    }

    /**
     * A duration option, written {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}, {@code 1d}
     * or in ISO-8601 ({@code PT15S}). A bare number is rejected: its unit would be a guess.
     *
     * @param name the option name
     * @param defaultValue used when the option is not set
     * @return the value, positive
     * @throws ConfigurationException if the value cannot be read or is not positive
     */
    public Duration duration(String name, Duration defaultValue) {
        String raw = values.get(name);
        if (raw == null) {
            return defaultValue;
        }
        Duration value = parseDuration(name, raw);
        if (value.isNegative() || value.isZero()) {
            throw new ConfigurationException(describe(name, raw) + " must be positive");
        }
        return value;
    }

    private static Duration parseDuration(String name, String raw) {
        String text = raw.strip();
        Matcher simple = SIMPLE_DURATION.matcher(text);
        if (simple.matches()) {
            long amount = Long.parseLong(simple.group(1));
            return switch (simple.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new ConfigurationException(describe(name, raw)
                    + " is not a duration: write a number with a unit (500ms, 15s, 2m, 1h, 1d) or ISO-8601 (PT15S)", e);
        }
    }

    private static String describe(String name, String raw) {
        return "option '" + name + "' = '" + Redaction.value(name, raw) + "'";
    }

    /**
     * All options as a map with secret values hidden; safe to log.
     *
     * @return the redacted options
     */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>();
        values.forEach((name, value) -> shown.put(name, Redaction.value(name, value)));
        return shown.toString();
    }
}
