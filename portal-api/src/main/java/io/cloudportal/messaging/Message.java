package io.cloudportal.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A message: a topic, an optional key that decides ordering (messages with one key keep their
 * order where the driver gives {@link io.cloudportal.Guarantee#ORDER_PER_KEY}), payload bytes,
 * and string headers. Validated against the rules of the driver when published.
 *
 * @param topic the topic to publish to
 * @param key the ordering key, or null for none
 * @param payload the payload bytes (copied)
 * @param headers string headers (copied; insertion order kept)
 */
public record Message(String topic, String key, byte[] payload, Map<String, String> headers) {

    /**
     * Creates a message; payload and headers are copied.
     *
     * @param topic the topic
     * @param key the ordering key, or null
     * @param payload the payload bytes
     * @param headers the headers, or null for none
     */
    public Message {
        Objects.requireNonNull(topic, "topic");
        payload = Objects.requireNonNull(payload, "payload").clone();
        headers = headers == null || headers.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /**
     * A message without key and headers.
     *
     * @param topic the topic
     * @param payload the payload bytes
     * @return the message
     */
    public static Message of(String topic, byte[] payload) {
        return new Message(topic, null, payload, Map.of());
    }

    /**
     * A message with a key and a UTF-8 text payload.
     *
     * @param topic the topic
     * @param key the ordering key, or null
     * @param text the payload as text
     * @return the message
     */
    public static Message of(String topic, String key, String text) {
        return new Message(topic, key, text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /**
     * Starts a builder.
     *
     * @param topic the topic
     * @return a builder
     */
    public static Builder builder(String topic) {
        return new Builder(topic);
    }

    /**
     * The ordering key.
     *
     * @return the key, or empty if the message has none
     */
    public Optional<String> keyIfPresent() {
        return Optional.ofNullable(key);
    }

    /**
     * The payload bytes (a copy).
     *
     * @return the payload
     */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * The payload decoded as UTF-8.
     *
     * @return the payload as text
     */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /**
     * The payload size without copying it.
     *
     * @return the number of payload bytes
     */
    public int payloadSize() {
        return payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && topic.equals(m.topic) && Objects.equals(key, m.key)
                && Arrays.equals(payload, m.payload) && headers.equals(m.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, key, Arrays.hashCode(payload), headers);
    }

    @Override
    public String toString() {
        return "Message[topic=" + topic + ", key=" + key + ", " + payload.length + " bytes, headers=" + headers.keySet() + "]";
    }

    /** Builds a {@link Message}. */
    public static final class Builder {
        private final String topic;
        private String key;
        private byte[] payload = new byte[0];
        private final Map<String, String> headers = new LinkedHashMap<>();

        private Builder(String topic) {
            this.topic = topic;
        }

        /**
         * Sets the ordering key.
         *
         * @param key the key, or null for none
         * @return this builder
         */
        public Builder key(String key) {
            this.key = key;
            return this;
        }

        /**
         * Sets the payload.
         *
         * @param payload the payload bytes
         * @return this builder
         */
        public Builder payload(byte[] payload) {
            this.payload = payload;
            return this;
        }

        /**
         * Sets the payload to UTF-8 text.
         *
         * @param text the payload as text
         * @return this builder
         */
        public Builder payload(String text) {
            this.payload = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * Adds a header.
         *
         * @param name the header name
         * @param value the header value
         * @return this builder
         */
        public Builder header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /**
         * Builds the message.
         *
         * @return the message
         */
        public Message build() {
            return new Message(topic, key, payload, headers);
        }
    }
}
