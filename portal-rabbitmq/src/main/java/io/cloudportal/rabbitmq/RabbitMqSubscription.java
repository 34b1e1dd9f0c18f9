package io.cloudportal.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.SettlingDelivery;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a channel with {@code basic.qos(prefetch)} consuming one queue with manual
 * acknowledgements. Deliveries go from the client's dispatch thread to this subscription's
 * handler threads; prefetch bounds what is held. A message is acknowledged once its handler
 * returned. A handler that throws is retried in place after {@code retryBackoff} (so a message
 * is not handed to another member mid-retry) and after {@code maxAttempts} the message is
 * published, with the {@link DeadLetters} headers, to the dead-letter topic, and only then acknowledged.
 * A channel the broker closes for a channel error is reopened after {@code recoveryInterval};
 * the connection's own recovery brings the consumer back after a connection loss.
 */
final class RabbitMqSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqSubscription.class);
    /** Set by quorum queues on a redelivered message: how many times it was returned before. */
    private static final String DELIVERY_COUNT_HEADER = "x-delivery-count";
    private static final int ACK_BATCH = 32;

    private final RabbitMqConnection connection;
    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final String deadLetterTopic;
    private final Consumer<RabbitMqSubscription> onClose;
    private final ThreadPoolExecutor handlers;
    /** With one handler thread, deliveries finish in order: acknowledgements go out together ({@code multiple}). */
    private final boolean batchAcks;
    /** Confined to the single handler thread when {@link #batchAcks}: the newest handled tag not yet acknowledged. */
    private Channel ackChannel;
    private long ackTag;
    private int unacked;
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean stopping;
    private volatile Channel channel;
    private volatile String consumerTag;
    private String queue;

    private RabbitMqSubscription(RabbitMqConnection connection, SubscribeOptions options, MessageHandler handler, String deadLetterTopic,
                                 Consumer<RabbitMqSubscription> onClose) {
        this.connection = connection;
        this.options = options;
        this.handler = handler;
        this.deadLetterTopic = deadLetterTopic;
        this.onClose = onClose;
        this.handlers = new ThreadPoolExecutor(options.concurrency(), options.concurrency(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), connection.context().threadFactory("rabbitmq-handler"));
        this.batchAcks = options.concurrency() == 1;
    }

    static RabbitMqSubscription open(RabbitMqConnection connection, SubscribeOptions options, MessageHandler handler, String deadLetterTopic,
                                     Consumer<RabbitMqSubscription> onClose) {
        RabbitMqSubscription subscription = new RabbitMqSubscription(connection, options, handler, deadLetterTopic, onClose);
        try {
            subscription.start();
        } catch (IOException | RuntimeException e) {
            subscription.handlers.shutdownNow();
            subscription.closeChannel();
            if (e instanceof PortalException portal) {
                throw portal;
            }
            throw new UnavailableException("cannot subscribe to '" + options.topic() + "' on RabbitMQ: " + e.getMessage(), e);
        }
        return subscription;
    }

    private void start() throws IOException {
        RabbitMqTopology topology = connection.topology();
        if (topology.isDeadLetterTopic(options.topic())) {
            queue = options.topic();
        } else if (options.isBroadcast()) {
            queue = null;
        } else {
            queue = topology.groupQueue(options.topic(), options.group().orElseThrow());
        }
        // Declared before the first message can fail, so dead letters are kept from then on, consumed or not.
        if (!options.topic().equals(queue)) {
            topology.deadLetterTopic(deadLetterTopic);
        }
        consume();
    }

    /** Opens the channel and starts consuming; also the way back after a channel error. */
    private synchronized void consume() throws IOException {
        Channel fresh = connection.createChannel();
        fresh.basicQos(connection.settings().prefetch());
        String source = queue;
        if (source == null) {
            connection.topology().exchange(options.topic());
            source = fresh.queueDeclare().getQueue();
            fresh.queueBind(source, options.topic(), RabbitMqTopology.MATCH_ALL);
        }
        fresh.addShutdownListener(this::channelClosed);
        channel = fresh;
        consumerTag = fresh.basicConsume(source, false, new DefaultConsumer(fresh) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                Channel from = getChannel();
                try {
                    handlers.execute(() -> handle(from, envelope, properties, body));
                } catch (RejectedExecutionException e) {
                    // closing: left unacknowledged, the broker gives it to another member
                }
            }
        });
    }

    private void channelClosed(ShutdownSignalException cause) {
        if (cause.isHardError() || cause.isInitiatedByApplication() || stopping) {
            return;
        }
        LOG.warn("RabbitMQ closed the channel of the subscription to '{}': {}; reopening it in {}", options.topic(), cause.getMessage(),
                connection.settings().recoveryInterval());
        connection.timers().schedule(this::reopen, connection.settings().recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reopen() {
        if (stopping || connection.isClosed()) {
            return;
        }
        try {
            consume();
            LOG.info("The subscription to '{}' consumes again", options.topic());
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot reopen the subscription to '{}' yet: {}; retrying in {}", options.topic(), e.toString(),
                    connection.settings().recoveryInterval());
            connection.timers().schedule(this::reopen, connection.settings().recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void handle(Channel from, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
        if (stopping) {
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int returnedBefore = 0;
        if (properties.getHeaders() != null) {
            for (Map.Entry<String, Object> header : properties.getHeaders().entrySet()) {
                if (header.getKey().equals(DELIVERY_COUNT_HEADER) && header.getValue() instanceof Number count) {
                    returnedBefore = count.intValue();
                } else if (header.getValue() != null) {
                    headers.put(header.getKey(), header.getValue().toString());
                }
            }
        }
        String key = envelope.getRoutingKey().isEmpty() ? null : envelope.getRoutingKey();
        Message message = new Message(options.topic(), key, body, headers);
        String messageId = properties.getMessageId() != null ? properties.getMessageId()
                : queueName() + "/" + envelope.getDeliveryTag();
        int attempt = Math.max(returnedBefore + 1, envelope.isRedeliver() && returnedBefore == 0 ? 2 : 1);
        while (true) {
            SettlingDelivery delivery = SettlingDelivery.of(message, messageId, attempt);
            Exception failure = null;
            try {
                handler.handle(delivery);
                delivery.ack();
            } catch (Exception e) {
                failure = e;
                delivery.nack();
            }
            if (!delivery.rejected()) {
                if (batchAcks) {
                    acknowledgeInOrder(from, envelope.getDeliveryTag());
                } else {
                    acknowledge(from, envelope.getDeliveryTag());
                }
                return;
            }
            String reason = failure == null ? "nack" : failure.toString();
            if (attempt >= options.maxAttempts()) {
                deadLetter(from, envelope, properties, body, messageId, attempt, reason);
                return;
            }
            if (stopping) {
                return;
            }
            LOG.debug("Handler of '{}' failed on message {} (attempt {}): {}; retrying in {}", options.topic(), messageId, attempt,
                    reason, options.retryBackoff());
            try {
                Thread.sleep(options.retryBackoff().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            attempt++;
        }
    }

    private String queueName() {
        return queue == null ? options.topic() : queue;
    }

    /**
     * Acknowledges up to this delivery at once when no other delivery waits for the handler, or
     * every {@value #ACK_BATCH}: one frame (and one socket write) for many messages, which a
     * consumer handing messages to its own thread needs to keep up with one that acknowledges
     * inline. Every earlier delivery of the channel was handled (or dead-lettered) before this one.
     */
    private void acknowledgeInOrder(Channel from, long deliveryTag) {
        if (ackChannel != null && ackChannel != from) {
            flushAcks();
        }
        ackChannel = from;
        ackTag = deliveryTag;
        unacked++;
        if (unacked >= ACK_BATCH || handlers.getQueue().isEmpty() || stopping) {
            flushAcks();
        }
    }

    private void flushAcks() {
        if (unacked == 0) {
            return;
        }
        try {
            ackChannel.basicAck(ackTag, true);
        } catch (IOException | RuntimeException e) {
            LOG.debug("Acknowledging on '{}' failed: {}", options.topic(), e.toString());
        }
        unacked = 0;
    }

    private void acknowledge(Channel from, long deliveryTag) {
        try {
            from.basicAck(deliveryTag, false);
        } catch (IOException | RuntimeException e) {
            // The channel went away: the broker redelivers the message, to this member once it recovered or to another.
            LOG.debug("Acknowledging on '{}' failed: {}", options.topic(), e.toString());
        }
    }

    /** Publishes to the dead-letter topic and acknowledges only once the broker confirmed: a dead letter is never lost in between. */
    private void deadLetter(Channel from, Envelope envelope, AMQP.BasicProperties properties, byte[] body, String messageId, int attempts,
                            String reason) {
        Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders());
        headers.remove(DELIVERY_COUNT_HEADER);
        headers.put(DeadLetters.REASON_HEADER, reason);
        headers.put(DeadLetters.ATTEMPTS_HEADER, Integer.toString(attempts));
        headers.put(DeadLetters.ORIGINAL_TOPIC_HEADER, options.topic());
        headers.put(DeadLetters.ORIGINAL_ID_HEADER, messageId);
        String deadId = messageId + "-dead";
        AMQP.BasicProperties dead = properties.builder().messageId(deadId).headers(headers).deliveryMode(2).build();
        while (!stopping) {
            try {
                connection.sharedPublisher().send(deadLetterTopic, envelope.getRoutingKey(), dead, body, deadId)
                        .get(connection.settings().confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
                LOG.warn("Message {} of '{}' went to dead-letter topic '{}' after {} attempts: {}", messageId, options.topic(),
                        deadLetterTopic, attempts, reason);
                if (batchAcks) {
                    acknowledgeInOrder(from, envelope.getDeliveryTag());
                } else {
                    acknowledge(from, envelope.getDeliveryTag());
                }
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException | PortalException e) {
                LOG.warn("Dead-lettering message {} of '{}' failed: {}; trying again", messageId, options.topic(), e.toString());
            }
        }
    }

    @Override
    public SubscribeOptions options() {
        return options;
    }

    /** Cancels the consumer, lets running handlers finish and acknowledge, and closes the channel, which returns the rest. */
    @Override
    public boolean close(Duration timeout) throws InterruptedException {
        if (!closing.compareAndSet(false, true)) {
            return true;
        }
        Channel current = channel;
        try {
            if (current != null && current.isOpen() && consumerTag != null) {
                current.basicCancel(consumerTag);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cancelling the consumer of '{}': {}", options.topic(), e.toString());
        }
        // Handlers already running finish; deliveries not yet started are skipped and return to the queue with the channel.
        stopping = true;
        handlers.shutdown();
        boolean drained = handlers.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!drained) {
            LOG.warn("Subscription to '{}' closed while handlers still ran after {}", options.topic(), timeout);
            handlers.shutdownNow();
        }
        closeChannel();
        onClose.accept(this);
        return drained;
    }

    private void closeChannel() {
        Channel current = channel;
        if (current != null && current.isOpen()) {
            try {
                current.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                LOG.debug("Closing the channel of '{}': {}", options.topic(), e.toString());
            }
        }
    }

    @Override
    public void close() {
        try {
            close(connection.context().operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The channel now, for tests that provoke a channel error. */
    Channel channel() {
        return channel;
    }
}
