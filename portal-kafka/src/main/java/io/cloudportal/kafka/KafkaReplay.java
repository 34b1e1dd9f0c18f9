package io.cloudportal.kafka;

import io.cloudportal.ConflictException;
import io.cloudportal.NotFoundException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.messaging.StartPosition;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.UnknownMemberIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Start positions and group resets on Kafka: a position in time is the first offset whose record
 * timestamp (the producer's create time, ms) is at or after it ({@code offsetsForTimes}), or the end
 * where there is none; earliest and latest are the log's ends.
 */
final class KafkaReplay {

    private KafkaReplay() {
    }

    /** The {@code auto.offset.reset} for a new group: a time is applied on assignment, from the earliest. */
    static String autoOffsetReset(StartPosition position) {
        return position.kind() == StartPosition.Kind.LATEST ? "latest" : "earliest";
    }

    /**
     * On the poll thread, in {@code onPartitionsAssigned}: the partitions this group has no committed
     * offset for start at the position's time. Earliest and latest need nothing: {@code auto.offset.reset} does them.
     */
    static void seekUncommitted(KafkaConsumer<?, ?> consumer, Collection<TopicPartition> partitions, StartPosition position,
                                Duration timeout) {
        if (position.kind() != StartPosition.Kind.TIME || partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.copyOf(partitions), timeout);
        Set<TopicPartition> fresh = partitions.stream().filter(p -> committed.get(p) == null).collect(Collectors.toSet());
        seek(consumer, fresh, position, timeout);
    }

    /** Positions every partition (a broadcast subscriber's, which has no group) at the position. */
    static void seek(KafkaConsumer<?, ?> consumer, Collection<TopicPartition> partitions, StartPosition position, Duration timeout) {
        if (partitions.isEmpty()) {
            return;
        }
        switch (position.kind()) {
            case EARLIEST -> consumer.seekToBeginning(partitions);
            case LATEST -> consumer.seekToEnd(partitions);
            case TIME -> {
                long millis = position.time().orElseThrow().toEpochMilli();
                Map<TopicPartition, Long> query = partitions.stream().collect(Collectors.toMap(p -> p, p -> millis));
                Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query, timeout);
                for (TopicPartition partition : partitions) {
                    OffsetAndTimestamp at = found.get(partition);
                    if (at == null) {
                        consumer.seekToEnd(Set.of(partition));
                    } else {
                        consumer.seek(partition, at.offset());
                    }
                }
            }
            default -> throw new IllegalStateException(position.toString());
        }
    }

    /** Moves an inactive group's committed offsets on every partition of the topic. */
    static void resetGroup(Admin admin, String topic, String group, StartPosition position, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            var description = admin.describeTopics(Set.of(topic)).allTopicNames().get(left(deadline), TimeUnit.NANOSECONDS).get(topic);
            Map<TopicPartition, OffsetSpec> query = new HashMap<>();
            Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
            OffsetSpec spec = switch (position.kind()) {
                case EARLIEST -> OffsetSpec.earliest();
                case LATEST -> OffsetSpec.latest();
                case TIME -> OffsetSpec.forTimestamp(position.time().orElseThrow().toEpochMilli());
            };
            description.partitions().forEach(info -> {
                TopicPartition partition = new TopicPartition(topic, info.partition());
                query.put(partition, spec);
                ends.put(partition, OffsetSpec.latest());
            });
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> found = admin.listOffsets(query).all()
                    .get(left(deadline), TimeUnit.NANOSECONDS);
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = position.kind() == StartPosition.Kind.TIME
                    ? admin.listOffsets(ends).all().get(left(deadline), TimeUnit.NANOSECONDS) : found;
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            found.forEach((partition, info) ->
                    // No record at or after the time: the group resumes at the end, as a consumer seeking there would.
                    offsets.put(partition, new OffsetAndMetadata(info.offset() < 0 ? end.get(partition).offset() : info.offset())));
            admin.alterConsumerGroupOffsets(group, offsets).all().get(left(deadline), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortalException("interrupted while resetting group '" + group + "' on '" + topic + "'", e);
        } catch (TimeoutException e) {
            throw new PortalTimeoutException("resetting group '" + group + "' on '" + topic + "' took longer than " + timeout, e);
        } catch (ExecutionException e) {
            Throwable cause = KafkaErrors.unwrap(e);
            if (cause instanceof UnknownMemberIdException || cause instanceof GroupNotEmptyException) {
                throw new ConflictException("group '" + group + "' on '" + topic + "' has active members: Kafka moves only a group"
                        + " with none; close its subscriptions and reset it again", cause);
            }
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new NotFoundException("Kafka has no topic '" + topic + "' to reset group '" + group + "' on", cause);
            }
            throw KafkaErrors.map("resetting group '" + group + "' on '" + topic + "'", cause);
        }
    }

    private static long left(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }
}
