package io.cloudportal.rocketmq;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.rocketmq.client.consumer.store.OffsetStore;
import org.apache.rocketmq.client.consumer.store.ReadOffsetType;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Offsets of a broadcast subscriber, kept in memory: it gets what is published after it
 * subscribed, so there is nothing to resume from, and RocketMQ's own store for broadcasting
 * would write files under the user's home directory.
 */
final class MemoryOffsetStore implements OffsetStore {

    private final ConcurrentMap<MessageQueue, Long> offsets = new ConcurrentHashMap<>();

    @Override
    public void load() {
    }

    @Override
    public void updateOffset(MessageQueue queue, long offset, boolean increaseOnly) {
        offsets.merge(queue, offset, (old, next) -> increaseOnly ? Math.max(old, next) : next);
    }

    @Override
    public void updateAndFreezeOffset(MessageQueue queue, long offset) {
        offsets.put(queue, offset);
    }

    @Override
    public long readOffset(MessageQueue queue, ReadOffsetType type) {
        return offsets.getOrDefault(queue, -1L);
    }

    @Override
    public void persistAll(Set<MessageQueue> queues) {
    }

    @Override
    public void persist(MessageQueue queue) {
    }

    @Override
    public void removeOffset(MessageQueue queue) {
        offsets.remove(queue);
    }

    @Override
    public Map<MessageQueue, Long> cloneOffsetTable(String topic) {
        Map<MessageQueue, Long> copy = new HashMap<>();
        offsets.forEach((queue, offset) -> {
            if (topic == null || topic.isEmpty() || topic.equals(queue.getTopic())) {
                copy.put(queue, offset);
            }
        });
        return copy;
    }

    @Override
    public void updateConsumeOffsetToBroker(MessageQueue queue, long offset, boolean oneway) {
    }
}
