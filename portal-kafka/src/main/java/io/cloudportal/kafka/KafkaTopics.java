package io.cloudportal.kafka;

import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics a connection publishes to or consumes, once each, with Portal's partition
 * count: left to the broker's auto-creation they would get its {@code num.partitions} (1 by
 * default), and a consumer group could not share them.
 */
final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    private final Admin admin;
    private final int partitions;
    private final Optional<Short> replicationFactor;
    private final Map<String, String> configs;
    private final Duration timeout;
    private final Map<String, Boolean> known = new ConcurrentHashMap<>();

    KafkaTopics(Admin admin, KafkaSettings settings) {
        this.admin = admin;
        this.partitions = settings.partitions();
        this.replicationFactor = settings.replicationFactor();
        // A topic Portal creates takes any record this connection's producer may send, not just the broker's default ~1 MiB.
        this.configs = settings.maxRequestSize() > KafkaSettings.DEFAULT_MAX_REQUEST_SIZE
                ? Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(settings.maxRequestSize())) : Map.of();
        this.timeout = settings.maxBlock();
    }

    private PortalTimeoutException timedOut(String topic, Throwable cause) {
        return new PortalTimeoutException("creating topic '" + topic + "' timed out after " + timeout
                + " (option 'maxBlock'): no broker answered", cause);
    }

    /**
     * Returns once the topic exists, creating it if needed; a topic that exists already is left as it is.
     *
     * @throws PortalException if the cluster did not answer within {@code maxBlock} or refused
     */
    void ensure(String topic) throws InterruptedException {
        if (known.containsKey(topic)) {
            return;
        }
        try {
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), replicationFactor).configs(configs)))
                    .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            LOG.debug("Created topic {} with {} partitions", topic, partitions);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw timedOut(topic, e.getCause());
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw KafkaErrors.map("creating topic '" + topic + "'", e);
            }
        } catch (TimeoutException e) {
            throw timedOut(topic, e);
        }
        known.put(topic, Boolean.TRUE);
    }
}
