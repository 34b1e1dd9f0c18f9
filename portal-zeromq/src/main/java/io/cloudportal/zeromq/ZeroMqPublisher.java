package io.cloudportal.zeromq;

import io.cloudportal.ClosedException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.spi.DriverPublisher;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * Publishes through one PUSH socket connected to the hub. A ZeroMQ socket must not be used by
 * two threads at once, so sends take a lock (which is also the memory barrier ZeroMQ asks for
 * when a socket changes threads); everything else — validation, encoding — happens before it.
 * PUSH queues from the moment it connects, so a new publisher's first messages wait for the hub
 * instead of being dropped, and a full queue makes a send wait (up to {@code maxBlock}) instead of
 * dropping: loss, if any, happens only downstream of the hub, where a subscription counts it.
 */
final class ZeroMqPublisher implements DriverPublisher {

    private final ZeroMqConnection connection;
    private final ZMQ.Socket socket;
    private final ReentrantLock lock = new ReentrantLock();
    private final long publisherId = ThreadLocalRandom.current().nextLong();
    /** Per topic: the topic frame and the last sequence number sent; guarded by {@link #lock}. */
    private final Map<String, TopicState> topics = new HashMap<>();
    private boolean closed;

    private static final class TopicState {
        final byte[] frame;
        long sequence;

        TopicState(String topic) {
            this.frame = Frames.topic(topic);
        }
    }

    private ZeroMqPublisher(ZeroMqConnection connection, ZMQ.Socket socket) {
        this.connection = connection;
        this.socket = socket;
    }

    static ZeroMqPublisher open(ZeroMqConnection connection) {
        ZeroMqSettings settings = connection.settings();
        ZMQ.Socket socket = connection.socket(SocketType.PUSH);
        try {
            socket.setSndHWM(settings.sendHighWaterMark());
            socket.setSendTimeOut((int) Math.min(Integer.MAX_VALUE, settings.maxBlock().toMillis()));
            socket.setLinger(connection.context().operationTimeout().toMillis());
            socket.connect(settings.publisherEndpoint());
        } catch (ZMQException e) {
            connection.destroy(socket);
            throw new UnavailableException("cannot open a ZeroMQ publisher to the " + settings.hubDescription() + ": " + e.getMessage(), e);
        }
        return new ZeroMqPublisher(connection, socket);
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        byte[] envelope = Frames.envelope(publisherId, message.key(), message.headers());
        byte[] payload = message.payload();
        Duration maxBlock = connection.settings().maxBlock();
        long sequence;
        try {
            if (!lock.tryLock(maxBlock.toMillis(), TimeUnit.MILLISECONDS)) {
                return CompletableFuture.failedFuture(blocked(message.topic(), maxBlock));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableFuture.failedFuture(new PortalTimeoutException("interrupted while publishing to '" + message.topic() + "'"));
        }
        try {
            if (closed) {
                throw new ClosedException("cannot publish to '" + message.topic() + "': the publisher is closed");
            }
            TopicState topic = topics.computeIfAbsent(message.topic(), TopicState::new);
            sequence = topic.sequence + 1;
            Frames.sequence(envelope, sequence);
            // The high-water mark is checked on a message's first frame only: a message goes whole or not at all.
            if (!socket.send(topic.frame, ZMQ.SNDMORE)) {
                return CompletableFuture.failedFuture(blocked(message.topic(), maxBlock));
            }
            socket.send(envelope, ZMQ.SNDMORE);
            socket.send(payload, 0);
            topic.sequence = sequence;
        } catch (ZMQException e) {
            return CompletableFuture.failedFuture(new UnavailableException("publishing to '" + message.topic() + "' failed: "
                    + e.getMessage(), e));
        } finally {
            lock.unlock();
        }
        connection.counters().published.increment();
        return CompletableFuture.completedFuture(new PublishResult(message.topic(), -1, sequence, Frames.messageId(publisherId,
                message.topic(), sequence)));
    }

    private PortalTimeoutException blocked(String topic, Duration maxBlock) {
        return new PortalTimeoutException("publishing to '" + topic + "' waited " + maxBlock + " (option 'maxBlock') for room: "
                + "the ZeroMQ " + connection.settings().hubDescription() + " takes no more (send high-water mark "
                + connection.settings().sendHighWaterMark() + " reached, or the hub is down)");
    }

    /**
     * Returns at once: a publish completes when ZeroMQ has queued the message, and ZeroMQ gives no
     * acknowledgement after that (at most once). Close waits for the queue to go out.
     */
    @Override
    public void flush(Duration timeout) {
    }

    /** Closes the socket, whose linger (the operation timeout) lets queued messages go out first; the connection calls it. */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // The socket's linger (the operation timeout) lets queued messages go out before it closes.
            connection.destroy(socket);
        } finally {
            lock.unlock();
        }
    }
}
