package io.cloudportal.rocketmq;

import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.impl.consumer.DefaultMQPushConsumerImpl;
import org.apache.rocketmq.client.impl.factory.MQClientInstance;
import org.apache.rocketmq.common.message.MessageQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How a new subscription waits for RocketMQ to give it its queues before {@code subscribe} returns. */
final class QueueAssignment {

    private static final Logger LOG = LoggerFactory.getLogger(QueueAssignment.class);

    private QueueAssignment() {
    }

    /**
     * Returns once this member holds the queues the group's current members give it: a broadcast
     * subscriber all of them, at their end, so nothing published after subscribe() returns is
     * missed; a group member its share, so the members do not start by taking each other's queues.
     */
    static void await(DefaultMQPushConsumer consumer, SubscribeOptions options, String group, String describe, Duration timeout) {
        DefaultMQPushConsumerImpl impl = consumer.getDefaultMQPushConsumerImpl();
        MQClientInstance client = impl.getmQClientFactory();
        String topic = options.topic();
        long deadline = System.nanoTime() + timeout.toNanos();
        client.updateTopicRouteInfoFromNameServer(topic);
        while (true) {
            Set<MessageQueue> all = impl.getRebalanceImpl().getTopicSubscribeInfoTable().get(topic);
            Set<MessageQueue> held = impl.getRebalanceImpl().getProcessQueueTable().keySet().stream()
                    .filter(queue -> queue.getTopic().equals(topic)).collect(Collectors.toSet());
            Set<MessageQueue> expected = all == null || all.isEmpty() ? null : expected(client, all, options, group);
            if (expected != null && held.equals(expected)) {
                return;
            }
            if (System.nanoTime() > deadline && !options.isBroadcast()) {
                // The queues are locked: a member still finishing a long message keeps its queue a while. This one takes it later.
                LOG.warn("Subscribed to '{}' as {} holding {} of its {} queue(s) after {}; it takes the rest when their members let go",
                        topic, describe, held.size(), expected == null ? "?" : expected.size(), timeout);
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new PortalTimeoutException("subscribing to '" + topic + "' as " + describe + ": its queues were not assigned within "
                        + timeout + " (holds " + held.size() + " of " + (all == null ? 0 : all.size()) + ")");
            }
            client.rebalanceImmediately();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while subscribing to '" + topic + "'", e);
            }
        }
    }

    /** The queues this member should hold, or null while the broker does not list it in its group yet. */
    private static Set<MessageQueue> expected(MQClientInstance client, Set<MessageQueue> all, SubscribeOptions options, String group) {
        if (options.isBroadcast()) {
            return all;
        }
        List<String> members = client.findConsumerIdList(options.topic(), group);
        if (members == null || !members.contains(client.getClientId())) {
            return null;
        }
        List<MessageQueue> queues = new ArrayList<>(all);
        queues.sort(Comparator.naturalOrder());
        List<String> sortedMembers = new ArrayList<>(members);
        sortedMembers.sort(Comparator.naturalOrder());
        return new HashSet<>(new AllocateMessageQueueAveragely().allocate(group, client.getClientId(), queues, sortedMembers));
    }
}
