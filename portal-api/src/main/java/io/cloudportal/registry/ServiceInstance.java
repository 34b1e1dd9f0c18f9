package io.cloudportal.registry;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One instance of a service: where to reach it and what it says about itself. Validated for the
 * rules every driver shares when it is registered, not when it is built.
 *
 * @param service the service name, e.g. {@code orders}
 * @param id the instance id, unique within the service, e.g. {@code orders-7f3c}
 * @param host the host name or address clients connect to
 * @param port the port clients connect to, 1–65535
 * @param metadata free-form string attributes (version, zone …); copied, never null
 */
public record ServiceInstance(String service, String id, String host, int port, Map<String, String> metadata) {

    /**
     * Creates an instance; the metadata is copied into a sorted, unmodifiable map.
     *
     * @param service the service name
     * @param id the instance id
     * @param host the host clients connect to
     * @param port the port clients connect to
     * @param metadata free-form attributes, or null for none
     */
    public ServiceInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(host, "host");
        metadata = metadata == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /**
     * Creates an instance without metadata.
     *
     * @param service the service name
     * @param id the instance id
     * @param host the host clients connect to
     * @param port the port clients connect to
     * @return the instance
     */
    public static ServiceInstance of(String service, String id, String host, int port) {
        return new ServiceInstance(service, id, host, port, Map.of());
    }

    /**
     * Returns a copy with different metadata.
     *
     * @param newMetadata the metadata of the copy
     * @return the copy
     */
    public ServiceInstance withMetadata(Map<String, String> newMetadata) {
        return new ServiceInstance(service, id, host, port, newMetadata);
    }
}
