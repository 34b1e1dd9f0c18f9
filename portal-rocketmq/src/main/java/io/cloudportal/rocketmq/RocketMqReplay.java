package io.cloudportal.rocketmq;

import io.cloudportal.NotFoundException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.StartPosition;
import java.time.Duration;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.BoundaryType;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.UtilAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.header.QueryConsumerOffsetRequestHeader;
import org.apache.rocketmq.remoting.protocol.header.UpdateConsumerOffsetRequestHeader;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;
import org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig;

/**
 * Start positions and group resets on RocketMQ. A new group starts with RocketMQ's
 * {@code ConsumeFromWhere} (a time through {@code consumeTimestamp}, whole seconds); a reset is
 * the broker's own offset reset by store time, in ms ({@code mqadmin resetOffsetByTime}), which
 * moves live members too; with no member online each queue's offset is written instead, as
 * {@code mqadmin} falls back to.
 */
final class RocketMqReplay {

    private RocketMqReplay() {
    }

    static void startAt(DefaultMQPushConsumer consumer, StartPosition position) {
        switch (position.kind()) {
            case EARLIEST -> consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            case LATEST -> consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
            case TIME -> {
                consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_TIMESTAMP);
                // yyyyMMddHHmmss in the JVM's zone, as RocketMQ parses it back: a time is rounded down to its second.
                consumer.setConsumeTimestamp(UtilAll.timeMillisToHumanString3(position.time().orElseThrow().toEpochMilli()));
            }
            default -> throw new IllegalStateException(position.toString());
        }
    }

    /**
     * Before a new group's first member starts: a group with no offset on any queue of the topic is
     * given the position's offsets. The consumer's {@code ConsumeFromWhere} is not enough: for a group
     * it has never seen, the broker answers offset 0 while a queue's messages are still in memory,
     * so a new group would read from the beginning whatever it asked for.
     */
    static void positionNewGroup(RocketMqConnection connection, String topic, String group, StartPosition position, Duration timeout) {
        try {
            TopicRouteData route = connection.api().getTopicRouteInfoFromNameServer(topic, timeout.toMillis());
            for (BrokerData broker : route.getBrokerDatas()) {
                String master = broker.getBrokerAddrs().get(MixAll.MASTER_ID);
                for (int queueId = 0; master != null && queueId < readQueues(route, broker); queueId++) {
                    QueryConsumerOffsetRequestHeader query = new QueryConsumerOffsetRequestHeader();
                    query.setConsumerGroup(group);
                    query.setTopic(topic);
                    query.setQueueId(queueId);
                    query.setSetZeroIfNotFound(false);
                    try {
                        connection.api().queryConsumerOffset(master, query, timeout.toMillis());
                        return;
                    } catch (MQBrokerException e) {
                        // A group the broker has not met yet has no subscription config either: it is new all the same.
                        if (e.getResponseCode() != ResponseCode.QUERY_NOT_FOUND && e.getResponseCode() != ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST) {
                            throw e;
                        }
                    }
                }
            }
            for (BrokerData broker : route.getBrokerDatas()) {
                String master = broker.getBrokerAddrs().get(MixAll.MASTER_ID);
                if (master != null) {
                    // Made as the broker makes it at a member's first heartbeat (default settings), so offsets can be written first.
                    SubscriptionGroupConfig config = new SubscriptionGroupConfig();
                    config.setGroupName(group);
                    connection.api().createSubscriptionGroup(master, config, timeout.toMillis());
                }
                writeOffsets(connection, route, broker, topic, group, position, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortalException("interrupted while placing new group '" + group + "' on '" + topic + "' at " + position, e);
        } catch (Exception e) {
            throw new UnavailableException("could not place new group '" + group + "' on '" + topic + "' at " + position + ": " + e.getMessage(), e);
        }
    }

    private static int readQueues(TopicRouteData route, BrokerData broker) {
        return route.getQueueDatas().stream().filter(q -> q.getBrokerName().equals(broker.getBrokerName()))
                .mapToInt(q -> q.getReadQueueNums()).max().orElse(0);
    }

    /** Each queue's offset at the position, written for the group on the broker's master. */
    private static void writeOffsets(RocketMqConnection connection, TopicRouteData route, BrokerData broker, String topic, String group,
                                     StartPosition position, Duration timeout) throws Exception {
        String master = broker.getBrokerAddrs().get(MixAll.MASTER_ID);
        if (master == null) {
            return;
        }
        for (int queueId = 0; queueId < readQueues(route, broker); queueId++) {
            MessageQueue queue = new MessageQueue(topic, broker.getBrokerName(), queueId);
            long offset = switch (position.kind()) {
                case EARLIEST -> connection.api().getMinOffset(master, queue, timeout.toMillis());
                case LATEST -> connection.api().getMaxOffset(master, queue, timeout.toMillis());
                case TIME -> connection.api().searchOffset(master, queue, position.time().orElseThrow().toEpochMilli(), BoundaryType.LOWER,
                        timeout.toMillis());
            };
            UpdateConsumerOffsetRequestHeader header = new UpdateConsumerOffsetRequestHeader();
            header.setConsumerGroup(group);
            header.setTopic(topic);
            header.setQueueId(queueId);
            header.setCommitOffset(offset);
            connection.api().updateConsumerOffset(master, header, timeout.toMillis());
        }
    }

    /** Resets a group's offsets on every master broker that holds the topic. */
    static void resetGroup(RocketMqConnection connection, String topic, String portalGroup, StartPosition position, Duration timeout) {
        String group = ConsumerGroups.of(portalGroup, topic);
        long timestamp = switch (position.kind()) {
            case EARLIEST -> 0L;
            // The broker reads -1 as each queue's end.
            case LATEST -> -1L;
            case TIME -> position.time().orElseThrow().toEpochMilli();
        };
        try {
            TopicRouteData route = connection.api().getTopicRouteInfoFromNameServer(topic, timeout.toMillis());
            for (BrokerData broker : route.getBrokerDatas()) {
                String master = broker.getBrokerAddrs().get(MixAll.MASTER_ID);
                if (master == null) {
                    continue;
                }
                try {
                    // Live members are told by the broker and move at once.
                    connection.api().invokeBrokerToResetOffset(master, topic, group, timestamp, true, timeout.toMillis());
                } catch (MQClientException e) {
                    if (e.getResponseCode() != ResponseCode.CONSUMER_NOT_ONLINE) {
                        throw e;
                    }
                    // No member online: the broker's reset refuses, so write each queue's offset as mqadmin's fallback does.
                    writeOffsets(connection, route, broker, topic, group, position, timeout);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PortalException("interrupted while resetting group '" + portalGroup + "' on '" + topic + "'", e);
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.TOPIC_NOT_EXIST) {
                throw new NotFoundException("RocketMQ has no topic '" + topic + "' to reset group '" + portalGroup + "' on", e);
            }
            if (e.getResponseCode() == ResponseCode.SYSTEM_ERROR && String.valueOf(e.getErrorMessage()).contains("not exist")) {
                throw new NotFoundException("group '" + portalGroup + "' (RocketMQ group '" + group + "') has no position on '" + topic
                        + "' yet: subscribe it with withStartPosition instead", e);
            }
            throw new UnavailableException("RocketMQ refused to reset group '" + portalGroup + "' on '" + topic + "': " + e.getErrorMessage(), e);
        } catch (RemotingTimeoutException e) {
            throw new PortalTimeoutException("resetting group '" + portalGroup + "' on '" + topic + "' took longer than " + timeout, e);
        } catch (Exception e) {
            throw new UnavailableException("resetting group '" + portalGroup + "' on '" + topic + "' failed: " + e.getMessage(), e);
        }
    }
}
