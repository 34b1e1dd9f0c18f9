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
     * The header naming the payload's media type, as {@link Codec}s write and read it
     * ({@code content-type}, CloudEvents' name for it on Kafka; on RabbitMQ also the AMQP
     * {@code content_type} property).
     */
    public static final String CONTENT_TYPE_HEADER = "content-type";

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
     * The payload decoded by a codec. A message whose {@link #CONTENT_TYPE_HEADER} names a type the
     * codec does not {@linkplain Codec#decodes(String) decode} is refused; one without the header
     * (a plain client's) is decoded as the codec's own.
     *
     * @param type the type wanted
     * @param codec the codec
     * @param <T> the type wanted
     * @return the decoded payload
     * @throws io.cloudportal.CodecException naming the topic, the content type and the type when it cannot be decoded
     */
    public <T> T payloadAs(Class<T> type, Codec codec) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(codec, "codec");
        String contentType = headers.get(CONTENT_TYPE_HEADER);
        if (contentType != null && !codec.decodes(contentType)) {
            throw new io.cloudportal.CodecException("cannot decode a message on '" + topic + "' into " + type.getName()
                    + ": its content type is '" + contentType + "', which the codec for '" + codec.contentType() + "' does not read");
        }
        try {
            return codec.decode(payload, type);
        } catch (RuntimeException e) {
            throw new io.cloudportal.CodecException("cannot decode a message on '" + topic + "' (content type '"
                    + (contentType == null ? "none, read as " + codec.contentType() : contentType) + "') into "
                    + type.getName() + ": " + e.getMessage(), e);
        }
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
         * Sets the payload to a value encoded by a codec, and {@link Message#CONTENT_TYPE_HEADER} to
         * the codec's content type.
         *
         * @param value the value, not null
         * @param codec the codec
         * @return this builder
         * @throws io.cloudportal.CodecException if the codec cannot encode the value
         */
        public Builder payload(Object value, Codec codec) {
            Objects.requireNonNull(codec, "codec");
            if (value == null) {
                throw new io.cloudportal.CodecException("cannot encode null: a typed payload needs a value");
            }
            this.payload = codec.encode(value);
            headers.put(CONTENT_TYPE_HEADER, codec.contentType());
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
