package io.cloudportal.kafka;

import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
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
                + " (option 'maxBlock'): no broker answered, or its partitions got no leader", cause);
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
        long deadline = System.nanoTime() + timeout.toNanos();
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
        awaitLeaders(topic, deadline);
        known.put(topic, Boolean.TRUE);
    }

    /**
     * Returns once every partition's leader serves requests. An idempotent producer that writes to
     * a partition whose leader is not yet serving can wedge: its first batch is refused
     * (NOT_LEADER_OR_FOLLOWER), a later one is taken, and the retried first batch is then out of
     * sequence until {@code deliveryTimeout} (seen here: 20,000 publishes to a topic created a
     * moment before hung for two minutes). A leader named in the metadata is not enough (that too
     * was seen); a ListOffsets request is answered by the leader's replica manager itself.
     */
    private void awaitLeaders(String topic, long deadline) throws InterruptedException {
        while (true) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(left(deadline), TimeUnit.MILLISECONDS).get(topic);
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                for (TopicPartitionInfo partition : description.partitions()) {
                    ends.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest());
                }
                admin.listOffsets(ends).all().get(left(deadline), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                    throw timedOut(topic, e.getCause());
                }
                // A leader that does not host the new partition yet answers UNKNOWN_TOPIC_OR_PARTITION (seen once in a
                // full suite run, past the admin client's own retries): not yet, ask again until the deadline.
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() - deadline > 0) {
                    throw KafkaErrors.map("waiting for the leaders of topic '" + topic + "'", e);
                }
                Thread.sleep(50);
            } catch (TimeoutException e) {
                throw timedOut(topic, e);
            }
        }
    }

    private static long left(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}
