package io.cloudportal.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A stored key and its value.
 *
 * @param key the key
 * @param value the value bytes (a copy; never shared with the caller or the store)
 * @param version the version of this value: it changes with every write and never repeats for
 *                the key, also across delete and re-create; pass it to
 *                {@link KvStore#compareAndSet(String, long, byte[])}
 */
public record KeyValue(String key, byte[] value, long version) {

    /**
     * Creates the value; the bytes are copied.
     *
     * @param key the key
     * @param value the value bytes
     * @param version the version of the value
     */
    public KeyValue {
        Objects.requireNonNull(key, "key");
        value = Objects.requireNonNull(value, "value").clone();
    }

    /**
     * The value bytes (a copy).
     *
     * @return the value
     */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /**
     * The value decoded as UTF-8.
     *
     * @return the value as text
     */
    public String valueAsString() {
        return new String(value, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyValue other && key.equals(other.key) && version == other.version && Arrays.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, version, Arrays.hashCode(value));
    }

    @Override
    public String toString() {
        return "KeyValue[key=" + key + ", version=" + version + ", " + value.length + " bytes]";
    }
}
