package io.cloudportal.rabbitmq;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ShutdownSignalException;
import io.cloudportal.ConflictException;
import io.cloudportal.UnavailableException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * How Portal's topics and groups map onto RabbitMQ, declared on first use and remembered per
 * connection (the client re-declares them after a recovery):
 * <ul>
 * <li>a topic is a durable {@code topic} exchange of the same name; a message's key is its routing key;</li>
 * <li>a consumer group is a durable queue {@code <topic>.<group>} (quorum by default) bound with {@code #};</li>
 * <li>a broadcast subscriber has an exclusive, auto-delete, server-named queue bound with {@code #};</li>
 * <li>a dead-letter topic is an exchange with one durable queue of the same name, which keeps dead letters until
 * someone consumes them; every subscription to that topic, whatever its group, consumes that queue.</li>
 * </ul>
 */
final class RabbitMqTopology {

    static final String MATCH_ALL = "#";

    private final RabbitMqConnection connection;
    private final Set<String> exchanges = ConcurrentHashMap.newKeySet();
    private final Set<String> queues = ConcurrentHashMap.newKeySet();
    private Channel channel;

    RabbitMqTopology(RabbitMqConnection connection) {
        this.connection = connection;
    }

    /** A channel for declarations; a declaration the broker refuses closes it, so a fresh one replaces it. */
    private synchronized Channel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            channel = connection.createChannel();
        }
        return channel;
    }

    void exchange(String topic) {
        if (exchanges.contains(topic)) {
            return;
        }
        declare("exchange '" + topic + "'", () -> channel().exchangeDeclare(topic, "topic", true));
        exchanges.add(topic);
    }

    String groupQueue(String topic, String group) {
        String queue = topic + "." + group;
        if (queues.contains(queue)) {
            return queue;
        }
        exchange(topic);
        Map<String, Object> arguments = Map.of("x-queue-type", connection.settings().queueType());
        declare("queue '" + queue + "'", () -> {
            channel().queueDeclare(queue, true, false, false, arguments);
            channel().queueBind(queue, topic, MATCH_ALL);
        });
        queues.add(queue);
        return queue;
    }

    /** Declares a dead-letter topic: its exchange and the durable queue that keeps what lands there. */
    void deadLetterTopic(String topic) {
        if (queues.contains(topic)) {
            return;
        }
        exchange(topic);
        Map<String, Object> arguments = Map.of("x-queue-type", connection.settings().queueType());
        declare("dead-letter queue '" + topic + "'", () -> {
            channel().queueDeclare(topic, true, false, false, arguments);
            channel().queueBind(topic, topic, MATCH_ALL);
        });
        queues.add(topic);
    }

    /** Tells whether a queue of exactly this name exists: then the topic is a dead-letter topic. */
    boolean isDeadLetterTopic(String topic) {
        if (queues.contains(topic)) {
            return true;
        }
        // A passive declare of a missing queue closes its channel with 404: ask on a channel of its own.
        try {
            Channel probe = connection.createChannel();
            try {
                probe.queueDeclarePassive(topic);
                queues.add(topic);
                return true;
            } finally {
                if (probe.isOpen()) {
                    probe.close();
                }
            }
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal && !signal.isHardError()) {
                return false;
            }
            throw new UnavailableException("cannot ask RabbitMQ about queue '" + topic + "': " + e.getMessage(), e);
        } catch (TimeoutException e) {
            return false;
        }
    }

    private interface Declaration {
        void run() throws IOException;
    }

    private synchronized void declare(String what, Declaration declaration) {
        try {
            declaration.run();
        } catch (IOException e) {
            if (e.getCause() instanceof ShutdownSignalException signal && !signal.isHardError()) {
                throw new ConflictException("RabbitMQ refused to declare " + what + ": " + signal.getReason()
                        + " (does it exist with other settings, e.g. another queue type?)", e);
            }
            throw new UnavailableException("cannot declare " + what + " on RabbitMQ: " + e.getMessage(), e);
        }
    }

    synchronized void close() {
        if (channel != null && channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                // the connection closes next
            }
        }
    }
}
