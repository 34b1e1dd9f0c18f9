package io.cloudportal.zookeeper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.registry.ServiceInstance;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.InstanceSerializer;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

/**
 * Curator service discovery's JSON, both ways. Portal writes exactly what Curator's default
 * {@link JsonInstanceSerializer} writes, with the metadata as a map payload, so a Curator
 * {@code ServiceDiscovery<Map>} reads it. It reads leniently: a payload of any class (Spring
 * Cloud Zookeeper's {@code ZookeeperInstance} keeps its metadata under {@code metadata}) is
 * read as JSON, never by loading the class it names.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class InstanceCodec implements InstanceSerializer<Map> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final JsonInstanceSerializer<Map> curator = new JsonInstanceSerializer<>(Map.class);

    /**
     * Curator's form of an instance. Without a metadata payload the payload is null, which a
     * {@code ServiceDiscovery<T>} of any payload type reads; Curator casts a non-null payload to
     * its {@code T}, so {@code ServiceDiscovery<Void>} fails on a map.
     */
    static org.apache.curator.x.discovery.ServiceInstance<Map> toCurator(ServiceInstance instance, boolean metadataPayload) {
        if (!metadataPayload && !instance.metadata().isEmpty()) {
            throw new InvalidArgumentException("instance '" + instance.id() + "' of service '" + instance.service() + "' has metadata "
                    + instance.metadata().keySet() + ", which option 'registryPayload' = 'none' has no place for; use 'metadata'");
        }
        return new org.apache.curator.x.discovery.ServiceInstance<>(instance.service(), instance.id(), instance.host(),
                instance.port(), null, metadataPayload ? new LinkedHashMap<>(instance.metadata()) : null, System.currentTimeMillis(),
                ServiceType.DYNAMIC, null);
    }

    static ServiceInstance toPortal(org.apache.curator.x.discovery.ServiceInstance<Map> instance) {
        Map<String, String> metadata = instance.getPayload() == null ? Map.of() : (Map<String, String>) instance.getPayload();
        return new ServiceInstance(instance.getName(), instance.getId(), instance.getAddress(),
                instance.getPort() == null ? 0 : instance.getPort(), metadata);
    }

    @Override
    public byte[] serialize(org.apache.curator.x.discovery.ServiceInstance<Map> instance) throws Exception {
        return curator.serialize(instance);
    }

    @Override
    public org.apache.curator.x.discovery.ServiceInstance<Map> deserialize(byte[] bytes) throws Exception {
        JsonNode node = JSON.readTree(bytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode payload = node.path("payload");
        JsonNode fields = payload.path("metadata").isObject() ? payload.path("metadata") : payload;
        if (fields.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getKey().equals("@class") && field.getValue().isValueNode()) {
                    metadata.put(field.getKey(), field.getValue().asText());
                }
            }
        }
        Integer port = node.hasNonNull("port") ? node.get("port").asInt() : null;
        Integer sslPort = node.hasNonNull("sslPort") ? node.get("sslPort").asInt() : null;
        return new org.apache.curator.x.discovery.ServiceInstance<>(node.path("name").asText(), node.path("id").asText(),
                node.path("address").asText(), port == null ? sslPort : port, sslPort, metadata,
                node.path("registrationTimeUTC").asLong(), ServiceType.DYNAMIC, null);
    }
}
