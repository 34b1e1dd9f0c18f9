package io.cloudportal.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ReturnListener;
import io.cloudportal.ClosedException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.Rules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes on one channel in confirm mode, asynchronously with a bounded number of unconfirmed
 * messages. A publish's future completes on the broker's ack and fails on a nack, on a return
 * (with {@code mandatory}) or after {@code confirmTimeout}. Messages still unconfirmed when the
 * connection drops are sent again once it recovered (the broker may then hold a message twice:
 * at least once, never silently lost), and a channel closed by a channel error is replaced.
 */
final class RabbitMqPublisher implements DriverPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqPublisher.class);
    private static final String CONTENT_TYPE = "application/octet-stream";
    /** AMQP's short string: a routing key and a header name are at most 255 bytes. */
    static final int MAX_SHORT_STRING_BYTES = 255;

    private final RabbitMqConnection connection;
    private final RabbitMqSettings settings;
    private final ReentrantLock lock = new ReentrantLock();
    private final Semaphore room;
    /** Sent on the current channel and not yet confirmed, by that channel's sequence number. */
    private final ConcurrentNavigableMap<Long, Pending> unconfirmed = new ConcurrentSkipListMap<>();
    private final Map<String, Pending> byMessageId = new ConcurrentHashMap<>();
    private final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong()) + "-";
    private final AtomicLong counter = new AtomicLong();
    private final ScheduledFuture<?> expiry;
    private Channel channel;
    private volatile boolean closed;

    /** A message on its way, with what it takes to send it again. */
    private static final class Pending {
        final String exchange;
        final String routingKey;
        final AMQP.BasicProperties properties;
        final byte[] body;
        final String messageId;
        final long deadline;
        final CompletableFuture<PublishResult> result = new CompletableFuture<>();
        volatile String returned;

        Pending(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body, String messageId, long deadline) {
            this.exchange = exchange;
            this.routingKey = routingKey;
            this.properties = properties;
            this.body = body;
            this.messageId = messageId;
            this.deadline = deadline;
        }
    }

    private RabbitMqPublisher(RabbitMqConnection connection) {
        this.connection = connection;
        this.settings = connection.settings();
        this.room = new Semaphore(settings.maxOutstandingConfirms());
        this.expiry = connection.timers().scheduleWithFixedDelay(this::expire, 100, 100, TimeUnit.MILLISECONDS);
    }

    static RabbitMqPublisher open(RabbitMqConnection connection) {
        RabbitMqPublisher publisher = new RabbitMqPublisher(connection);
        publisher.lock.lock();
        try {
            publisher.openChannel();
        } catch (IOException e) {
            publisher.expiry.cancel(false);
            throw new UnavailableException("cannot open a publishing channel on RabbitMQ: " + e.getMessage(), e);
        } finally {
            publisher.lock.unlock();
        }
        return publisher;
    }

    /** Opens the confirming channel; called with the lock held. */
    private void openChannel() throws IOException {
        Channel fresh = connection.createChannel();
        fresh.confirmSelect();
        fresh.addConfirmListener(new ConfirmListener() {
            @Override
            public void handleAck(long sequence, boolean multiple) {
                settle(sequence, multiple, true);
            }

            @Override
            public void handleNack(long sequence, boolean multiple) {
                settle(sequence, multiple, false);
            }
        });
        fresh.addReturnListener((ReturnListener) (replyCode, replyText, exchange, routingKey, properties, body) -> {
            Pending pending = properties.getMessageId() == null ? null : byMessageId.get(properties.getMessageId());
            if (pending != null) {
                pending.returned = replyCode + " " + replyText;
            }
        });
        ((Recoverable) fresh).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                resendAfterRecovery();
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
            }
        });
        fresh.addShutdownListener(cause -> {
            if (!cause.isHardError() && !cause.isInitiatedByApplication() && !closed) {
                LOG.warn("RabbitMQ closed the publishing channel: {}; reopening it in {}", cause.getMessage(), settings.recoveryInterval());
                connection.timers().schedule(this::replaceChannel, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        channel = fresh;
    }

    private void settle(long sequence, boolean multiple, boolean acked) {
        List<Pending> done = new ArrayList<>();
        if (multiple) {
            ConcurrentNavigableMap<Long, Pending> head = unconfirmed.headMap(sequence, true);
            done.addAll(head.values());
            head.clear();
        } else {
            Pending pending = unconfirmed.remove(sequence);
            if (pending != null) {
                done.add(pending);
            }
        }
        for (Pending pending : done) {
            finish(pending);
            if (pending.returned != null) {
                pending.result.completeExceptionally(new UnavailableException("RabbitMQ returned the message to '" + pending.exchange
                        + "' (key '" + pending.routingKey + "'): " + pending.returned + "; no queue is bound to take it (option 'mandatory')"));
            } else if (acked) {
                pending.result.complete(new PublishResult(pending.exchange, -1, -1, pending.messageId));
            } else {
                pending.result.completeExceptionally(new UnavailableException("RabbitMQ refused the message to '" + pending.exchange
                        + "' (nack): the broker could not take it, e.g. a queue is over its length limit or the node is low on resources"));
            }
        }
    }

    private void finish(Pending pending) {
        if (byMessageId.remove(pending.messageId) != null) {
            room.release();
        }
    }

    /** Fails what waited longer than {@code confirmTimeout} for a confirm. */
    private void expire() {
        long now = System.nanoTime();
        for (Pending pending : byMessageId.values()) {
            if (now - pending.deadline > 0) {
                unconfirmed.values().remove(pending);
                finish(pending);
                pending.result.completeExceptionally(new PortalTimeoutException("RabbitMQ did not confirm the message to '"
                        + pending.exchange + "' within " + settings.confirmTimeout() + " (option 'confirmTimeout'); it may or may not"
                        + " have been taken"));
            }
        }
    }

    /** The rules RabbitMQ adds to a message (AMQP short strings), checked before any I/O. */
    @Override
    public void check(Message message) {
        if (message.key() != null) {
            shortString("message key", message.key());
        }
        for (String name : message.headers().keySet()) {
            shortString("header name", name);
        }
        String contentType = message.headers().get(Message.CONTENT_TYPE_HEADER);
        if (contentType != null) {
            // It also goes into the content_type property, an AMQP short string.
            shortString("content-type header", contentType);
        }
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        check(message);
        String contentType = message.headers().get(Message.CONTENT_TYPE_HEADER);
        String routingKey = message.key() == null ? "" : message.key();
        connection.topology().exchange(message.topic());
        Map<String, Object> headers = new HashMap<>(message.headers());
        String messageId = idPrefix + counter.incrementAndGet();
        AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                .messageId(messageId).deliveryMode(2).contentType(contentType == null ? CONTENT_TYPE : contentType).headers(headers).build();
        return send(message.topic(), routingKey, properties, message.payload(), messageId);
    }

    /**
     * A plain AMQP client names a payload's type in the {@code content_type} property, not in a header: a typed
     * Portal handler reads it as {@link Message#CONTENT_TYPE_HEADER}. Portal's own default is left out, so a message
     * published without one comes back as it was sent.
     */
    static void contentTypeHeader(AMQP.BasicProperties properties, Map<String, String> headers) {
        String contentType = properties.getContentType();
        if (contentType != null && !contentType.equals(CONTENT_TYPE) && !headers.containsKey(Message.CONTENT_TYPE_HEADER)) {
            headers.put(Message.CONTENT_TYPE_HEADER, contentType);
        }
    }

    /** Sends with Portal's properties already made (dead letters keep the original message id). */
    CompletableFuture<PublishResult> send(String exchange, String routingKey, AMQP.BasicProperties properties, byte[] body, String messageId) {
        if (closed) {
            throw new ClosedException("cannot publish to '" + exchange + "': the publisher is closed");
        }
        try {
            if (!room.tryAcquire(settings.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                return CompletableFuture.failedFuture(new PortalTimeoutException("publishing to '" + exchange + "' waited "
                        + settings.confirmTimeout() + " for room: " + settings.maxOutstandingConfirms()
                        + " messages await the broker's confirm (option 'maxOutstandingConfirms')"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new PortalTimeoutException("interrupted while publishing to '" + exchange + "'"));
        }
        Pending pending = new Pending(exchange, routingKey, properties, body, messageId,
                System.nanoTime() + settings.confirmTimeout().toNanos());
        byMessageId.put(messageId, pending);
        lock.lock();
        try {
            transmit(pending);
        } finally {
            lock.unlock();
        }
        return pending.result;
    }

    /** Sends on the current channel; called with the lock held. A send the channel cannot take now waits for its recovery. */
    private void transmit(Pending pending) {
        long sequence = channel.getNextPublishSeqNo();
        try {
            unconfirmed.put(sequence, pending);
            channel.basicPublish(pending.exchange, pending.routingKey, settings.mandatory(), pending.properties, pending.body);
        } catch (IOException | AlreadyClosedException e) {
            // Left in byMessageId: the recovery sends it again, or confirmTimeout fails it.
            LOG.debug("Publishing to '{}' waits for the channel: {}", pending.exchange, e.toString());
        } catch (RuntimeException e) {
            refused(sequence, pending, e);
        }
    }

    /**
     * The client threw while it wrote the frame (amqp-client checks some limits only there). It had
     * already counted the message, the broker never saw it, and the broker's confirms would from then
     * on name the message before the one meant: this message fails, and the channel is replaced so
     * that both sides count from one again. Called with the lock held.
     */
    private void refused(long sequence, Pending pending, RuntimeException cause) {
        unconfirmed.remove(sequence);
        finish(pending);
        pending.result.completeExceptionally(new PortalException("RabbitMQ's client refused the message to '" + pending.exchange
                + "': " + cause.getMessage(), cause));
        LOG.warn("RabbitMQ's client refused a message to '{}' ({}); replacing the publishing channel so that confirms match again",
                pending.exchange, cause.toString());
        Channel broken = channel;
        try {
            broken.close();
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.debug("Closing the publishing channel: {}", e.toString());
        }
        try {
            openChannel();
            resendAll();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot reopen the publishing channel yet: {}; retrying in {}", e.toString(), settings.recoveryInterval());
            connection.timers().schedule(this::replaceChannel, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void resendAfterRecovery() {
        lock.lock();
        try {
            resendAll();
        } finally {
            lock.unlock();
        }
    }

    private void replaceChannel() {
        lock.lock();
        try {
            if (closed || (channel != null && channel.isOpen())) {
                return;
            }
            openChannel();
            resendAll();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot reopen the publishing channel yet: {}; retrying in {}", e.toString(), settings.recoveryInterval());
            connection.timers().schedule(this::replaceChannel, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    /** Sends every unconfirmed message again, in their first order, on a channel whose sequence numbers started over. */
    private void resendAll() {
        List<Pending> again = new ArrayList<>(byMessageId.values());
        again.sort((a, b) -> Long.compare(a.deadline, b.deadline));
        unconfirmed.clear();
        if (!again.isEmpty()) {
            LOG.info("Sending {} unconfirmed messages again after the channel recovered", again.size());
        }
        for (Pending pending : again) {
            if (!pending.result.isDone()) {
                transmit(pending);
            }
        }
    }

    /** amqp-client refuses a longer short string only while it writes the frame, so the check comes first. */
    private static void shortString(String what, String value) {
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_SHORT_STRING_BYTES) {
            throw Rules.invalid(what, value, "is " + bytes + " UTF-8 bytes long: RabbitMQ (AMQP 0-9-1 short strings) allows at most "
                    + MAX_SHORT_STRING_BYTES);
        }
    }

    @Override
    public void flush(Duration timeout) throws InterruptedException {
        List<CompletableFuture<PublishResult>> waiting = byMessageId.values().stream().map(p -> p.result).toList();
        try {
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // each failure is reported through its own future
        } catch (TimeoutException e) {
            throw new PortalTimeoutException(waiting.stream().filter(f -> !f.isDone()).count() + " messages still await the broker's"
                    + " confirm after " + timeout);
        }
    }

    void close() {
        try {
            flush(connection.context().operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PortalTimeoutException e) {
            LOG.warn("Closing the publisher: {}", e.getMessage());
        }
        lock.lock();
        try {
            closed = true;
            expiry.cancel(false);
            if (channel != null && channel.isOpen()) {
                channel.close();
            }
        } catch (IOException | TimeoutException | RuntimeException e) {
            LOG.debug("Closing the publishing channel: {}", e.toString());
        } finally {
            lock.unlock();
        }
        for (Pending pending : byMessageId.values()) {
            pending.result.completeExceptionally(new ClosedException("the publisher closed before RabbitMQ confirmed the message to '"
                    + pending.exchange + "'"));
        }
    }
}
