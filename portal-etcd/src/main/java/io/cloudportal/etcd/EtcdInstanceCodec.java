package io.cloudportal.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudportal.PortalException;
import io.cloudportal.registry.ServiceInstance;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registered instance as the JSON object Portal puts under its key:
 * {@code {"service", "id", "host", "port", "metadata": {…}}}, which other etcd clients can read.
 */
final class EtcdInstanceCodec {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdInstanceCodec.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private EtcdInstanceCodec() {
    }

    static ByteSequence encode(ServiceInstance instance) {
        ObjectNode node = JSON.createObjectNode()
                .put("service", instance.service())
                .put("id", instance.id())
                .put("host", instance.host())
                .put("port", instance.port());
        ObjectNode metadata = node.putObject("metadata");
        instance.metadata().forEach(metadata::put);
        try {
            return ByteSequence.from(JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new PortalException("cannot write instance " + instance.service() + "/" + instance.id() + " as JSON", e);
        }
    }

    /** Reads an instance; a value that is not Portal's JSON is skipped (with a debug line), never fatal to the cache. */
    static ServiceInstance decode(KeyValue kv) {
        try {
            JsonNode node = JSON.readTree(kv.getValue().getBytes());
            Map<String, String> metadata = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.path("metadata").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                metadata.put(field.getKey(), field.getValue().asText());
            }
            return new ServiceInstance(node.path("service").asText(), node.path("id").asText(), node.path("host").asText(),
                    node.path("port").asInt(), metadata);
        } catch (Exception e) {
            LOG.debug("Skipping {}: not an instance Portal can read ({})", kv.getKey(), e.toString());
            return null;
        }
    }
}
