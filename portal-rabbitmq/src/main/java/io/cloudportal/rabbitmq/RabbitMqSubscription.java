package io.cloudportal.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.Received;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: a channel with {@code basic.qos(prefetch)} consuming one queue with manual
 * acknowledgements. Deliveries go from the client's dispatch thread to the portable layer's
 * handlers; prefetch bounds what is held. A dead letter is published, with the portable layer's
 * headers, to the dead-letter topic and only then acknowledged. A channel the broker closes for a
 * channel error is reopened after {@code recoveryInterval}; the connection's own recovery brings
 * the consumer back after a connection loss.
 */
final class RabbitMqSubscription implements DriverSubscription {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqSubscription.class);
    /** Set by quorum queues on a redelivered message: how many times it was returned before. */
    private static final String DELIVERY_COUNT_HEADER = "x-delivery-count";
    private static final int ACK_BATCH = 32;

    private final RabbitMqConnection connection;
    private final SubscribeOptions options;
    private final DeliverySink sink;
    private final String deadLetterTopic;
    private final Consumer<RabbitMqSubscription> onClose;
    /** With one handler thread, deliveries finish in order: acknowledgements go out together ({@code multiple}). */
    private final boolean batchAcks;
    /** Deliveries handed to the handlers; against {@link #settledInOrder}, whether any still waits. */
    private final AtomicLong handedOver = new AtomicLong();
    /** Confined to the single handler thread when {@link #batchAcks}: the newest handled tag not yet acknowledged. */
    private Channel ackChannel;
    private long ackTag;
    private int unacked;
    private long settledInOrder;
    private volatile boolean stopping;
    private volatile Channel channel;
    private volatile String consumerTag;
    private String queue;

    private RabbitMqSubscription(RabbitMqConnection connection, SubscribeOptions options, DeliverySink sink, String deadLetterTopic,
                                 Consumer<RabbitMqSubscription> onClose) {
        this.connection = connection;
        this.options = options;
        this.sink = sink;
        this.deadLetterTopic = deadLetterTopic;
        this.onClose = onClose;
        this.batchAcks = options.concurrency() == 1;
    }

    static RabbitMqSubscription open(RabbitMqConnection connection, SubscribeOptions options, DeliverySink sink, String deadLetterTopic,
                                     Consumer<RabbitMqSubscription> onClose) {
        RabbitMqSubscription subscription = new RabbitMqSubscription(connection, options, sink, deadLetterTopic, onClose);
        try {
            subscription.start();
        } catch (IOException | RuntimeException e) {
            try {
                subscription.closeChannel(connection.context().operationTimeout());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
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
        // A batch subscription's handlers each hold a batch unacknowledged: the window must fit them, or every batch would wait
        // out its maxWait for deliveries the broker holds back.
        fresh.basicQos((int) Math.min(65_535, Math.max(connection.settings().prefetch(), (long) options.concurrency() * sink.batchSize())));
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
                if (stopping) {
                    return; // left unacknowledged: the broker gives it to another member
                }
                handedOver.incrementAndGet();
                sink.deliver(new RabbitMqReceived(getChannel(), envelope, properties, body));
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

    private String queueName() {
        return queue == null ? options.topic() : queue;
    }

    /**
     * Acknowledges up to this delivery at once when no other delivery waits for the handler, or
     * every {@value #ACK_BATCH}: one frame (and one socket write) for many messages, which a
     * consumer handing messages to its own thread needs to keep up with one that acknowledges
     * inline. Every earlier delivery of the channel was settled before this one.
     */
    private void acknowledgeInOrder(Channel from, long deliveryTag) {
        if (ackChannel != null && ackChannel != from) {
            flushAcks();
        }
        ackChannel = from;
        ackTag = deliveryTag;
        unacked++;
        settledInOrder++;
        if (unacked >= ACK_BATCH || settledInOrder == handedOver.get()) {
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

    private void acknowledgeAlone(Channel from, long deliveryTag) {
        try {
            from.basicAck(deliveryTag, false);
        } catch (IOException | RuntimeException e) {
            // The channel went away: the broker redelivers the message, to this member once it recovered or to another.
            LOG.debug("Acknowledging on '{}' failed: {}", options.topic(), e.toString());
        }
    }

    @Override
    public CompletionStage<?> deadLetter(Received original, String topic, Message deadLetter) {
        RabbitMqReceived received = (RabbitMqReceived) original;
        String deadId = received.messageId() + "-dead";
        AMQP.BasicProperties dead = received.properties.builder().messageId(deadId)
                .headers(new HashMap<>(deadLetter.headers())).deliveryMode(2).build();
        return connection.sharedPublisher().send(topic, received.envelope.getRoutingKey(), dead, deadLetter.payload(), deadId);
    }

    @Override
    public void stopReceiving() {
        stopping = true;
        Channel current = channel;
        try {
            if (current != null && current.isOpen() && consumerTag != null) {
                // Sent without waiting for cancel-ok (basicCancel waits up to the RPC timeout for a broker that may not answer):
                // what the broker still delivers meanwhile stays unacknowledged and returns to the queue with the channel.
                current.asyncCompletableRpc(new AMQP.Basic.Cancel.Builder().consumerTag(consumerTag).build());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cancelling the consumer of '{}': {}", options.topic(), e.toString());
        }
    }

    /** Sends the acknowledgements still batched and closes the channel, which returns what was not settled. */
    @Override
    public void close(Duration timeout) throws InterruptedException {
        stopping = true;
        // The handler threads have ended (or were given up on): what they batched is now this thread's to send.
        flushAcks();
        closeChannel(timeout);
        onClose.accept(this);
    }

    /**
     * Closes the channel, waiting at most the timeout: {@code Channel.close} waits for the broker's
     * close-ok up to the RPC timeout, and a broker that does not answer must not hold the caller
     * past its own timeout. A close still waiting goes on in the background; the channel's
     * unacknowledged messages return to the queue whenever it ends, or with the connection.
     */
    private void closeChannel(Duration timeout) throws InterruptedException {
        Channel current = channel;
        if (current == null || !current.isOpen()) {
            return;
        }
        CountDownLatch closed = new CountDownLatch(1);
        connection.context().threadFactory("rabbitmq-close").newThread(() -> {
            try {
                current.close();
            } catch (IOException | TimeoutException | RuntimeException e) {
                LOG.debug("Closing the channel of '{}': {}", options.topic(), e.toString());
            } finally {
                closed.countDown();
            }
        }).start();
        if (!closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.debug("The channel of '{}' is not closed after {}; it goes on closing in the background", options.topic(), timeout);
        }
    }

    /** The channel now, for tests that provoke a channel error. */
    Channel channel() {
        return channel;
    }

    /** A delivery of the channel it came on; decoded on the handler thread, when first asked. */
    private final class RabbitMqReceived implements Received {
        final Channel from;
        final Envelope envelope;
        final AMQP.BasicProperties properties;
        final byte[] body;
        private Message message;

        RabbitMqReceived(Channel from, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            this.from = from;
            this.envelope = envelope;
            this.properties = properties;
            this.body = body;
        }

        @Override
        public Message message() {
            Message built = message;
            if (built == null) {
                Map<String, String> headers = new LinkedHashMap<>();
                if (properties.getHeaders() != null) {
                    for (Map.Entry<String, Object> header : properties.getHeaders().entrySet()) {
                        if (!header.getKey().equals(DELIVERY_COUNT_HEADER) && header.getValue() != null) {
                            headers.put(header.getKey(), header.getValue().toString());
                        }
                    }
                }
                RabbitMqPublisher.contentTypeHeader(properties, headers);
                String key = envelope.getRoutingKey().isEmpty() ? null : envelope.getRoutingKey();
                built = new Message(options.topic(), key, body, headers);
                message = built;
            }
            return built;
        }

        @Override
        public String messageId() {
            return properties.getMessageId() != null ? properties.getMessageId() : queueName() + "/" + envelope.getDeliveryTag();
        }

        @Override
        public int attempt() {
            int returnedBefore = 0;
            if (properties.getHeaders() != null && properties.getHeaders().get(DELIVERY_COUNT_HEADER) instanceof Number count) {
                returnedBefore = count.intValue();
            }
            return Math.max(returnedBefore + 1, envelope.isRedeliver() && returnedBefore == 0 ? 2 : 1);
        }

        @Override
        public boolean stale() {
            return !from.isOpen();
        }

        @Override
        public void acknowledge() {
            if (batchAcks) {
                acknowledgeInOrder(from, envelope.getDeliveryTag());
            } else {
                acknowledgeAlone(from, envelope.getDeliveryTag());
            }
        }

        @Override
        public void release() {
            // Left unacknowledged: the broker delivers it again once the channel closes.
            if (batchAcks) {
                settledInOrder++;
                if (settledInOrder == handedOver.get()) {
                    flushAcks();
                }
            }
        }
    }
}
