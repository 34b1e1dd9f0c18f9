package io.cloudportal.zeromq;

import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * One broadcast subscription: a SUB socket owned by a receive thread. It subscribes to its topic
 * and to a "ready?" topic of its own, and opens only once the hub answered the latter, so
 * every message published after {@code subscribe} returned reaches it. With concurrency 1 the
 * receive thread runs the handler; otherwise it hands messages to the portable layer's lanes, at
 * most {@code receiveHighWaterMark} (and at least {@value #HELD_PER_HANDLER} per handler):
 * handlers that cannot keep up stop the receive thread, ZeroMQ's queues fill, and the hub drops,
 * which the sequence numbers count. Nothing is held without bound.
 *
 * <p>The subscription counts what it holds itself because ZeroMQ's own high-water mark is not a
 * floor: a pipe's writer learns what its reader took only every {@code hwm - 1024} messages, so a
 * pipe of 10,000 may count as full with about 1,024 in it, and a burst that a slow handler lets
 * queue up was dropped by the hub although far less than the mark was waiting.
 */
final class ZeroMqSubscription implements DriverSubscription {

    private static final Logger LOG = LoggerFactory.getLogger(ZeroMqSubscription.class);
    private static final int HELD_PER_HANDLER = 1024;
    private static final int REMEMBERED_PUBLISHERS = 10_000;
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ZeroMqConnection connection;
    private final SubscribeOptions options;
    private final DeliverySink sink;
    private final byte[] topicFrame;
    private final LongAdder dropped;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Thread receiver;
    /** Messages handed to the handler threads and not yet settled, bounded; null when the receive thread handles them itself. */
    private final Semaphore held;
    private volatile boolean stopReceiving;
    private long missedSinceLog;
    private long lastDropLog;

    private ZeroMqSubscription(ZeroMqConnection connection, SubscribeOptions options, DeliverySink sink) {
        this.connection = connection;
        this.options = options;
        this.sink = sink;
        this.topicFrame = Frames.topic(options.topic());
        this.dropped = connection.counters().droppedOn(options.topic());
        this.held = options.concurrency() > 1
                ? new Semaphore(Math.max(HELD_PER_HANDLER * options.concurrency(), connection.settings().receiveHighWaterMark()))
                : null;
        this.receiver = connection.context().threadFactory("zeromq-receive").newThread(this::receive);
    }

    static ZeroMqSubscription open(ZeroMqConnection connection, SubscribeOptions options, DeliverySink sink) {
        ZeroMqSubscription subscription = new ZeroMqSubscription(connection, options, sink);
        subscription.receiver.start();
        Duration timeout = connection.settings().connectTimeout();
        try {
            subscription.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            subscription.stop();
            throw new UnavailableException("the ZeroMQ " + connection.settings().hubDescription() + " did not confirm the subscription to '"
                    + options.topic() + "' within " + timeout + " (option 'connectTimeout')", e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            subscription.stop();
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while subscribing to '" + options.topic() + "'", e);
        }
        return subscription;
    }

    private void receive() {
        ZMQ.Socket socket;
        try {
            socket = connection.socket(SocketType.SUB);
        } catch (RuntimeException e) {
            ready.completeExceptionally(e);
            return;
        }
        try {
            socket.setLinger(0);
            socket.setRcvHWM(connection.settings().receiveHighWaterMark());
            socket.setReceiveTimeOut(ZeroMqConnection.POLL_MILLIS);
            socket.subscribe(topicFrame);
            byte[] readyTopic = Frames.ready(ThreadLocalRandom.current().nextLong());
            socket.subscribe(readyTopic);
            socket.connect(connection.settings().subscriberEndpoint());
            Map<Long, Long> lastSequence = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                    return size() > REMEMBERED_PUBLISHERS;
                }
            };
            while (!stopReceiving) {
                byte[] first = socket.recv(0);
                if (first == null) {
                    continue;
                }
                if (Frames.isControl(first)) {
                    skipRest(socket);
                    if (!ready.isDone() && Arrays.equals(first, readyTopic)) {
                        socket.unsubscribe(readyTopic);
                        ready.complete(null);
                    }
                    continue;
                }
                byte[] envelopeFrame = socket.hasReceiveMore() ? socket.recv(0) : null;
                byte[] payload = socket.hasReceiveMore() ? socket.recv(0) : null;
                if (envelopeFrame == null || payload == null || socket.hasReceiveMore()) {
                    skipRest(socket);
                    LOG.warn("Subscription to '{}' skipped a message that is not in Portal's format (not three frames)", options.topic());
                    continue;
                }
                Frames.Envelope envelope;
                try {
                    envelope = Frames.Envelope.decode(envelopeFrame);
                } catch (RuntimeException e) {
                    LOG.warn("Subscription to '{}' skipped a message with an unreadable envelope: {}", options.topic(), e.getMessage());
                    continue;
                }
                countGap(lastSequence, envelope);
                connection.counters().received.increment();
                ZeroMqReceived received = new ZeroMqReceived(new Message(options.topic(), envelope.key(), payload, envelope.headers()),
                        envelope.publisherId(), envelope.sequence());
                if (held == null) {
                    sink.handleHere(received);
                } else if (awaitRoom()) {
                    sink.deliver(received);
                } else {
                    break;
                }
            }
        } catch (ZMQException | IllegalStateException e) {
            if (!stopReceiving) {
                LOG.error("Subscription to '{}' stopped receiving: {}", options.topic(), e.toString(), e);
            }
            ready.completeExceptionally(e);
        } finally {
            socket.close();
        }
    }

    private static void skipRest(ZMQ.Socket socket) {
        while (socket.hasReceiveMore()) {
            socket.recv(0);
        }
    }

    private void countGap(Map<Long, Long> lastSequence, Frames.Envelope envelope) {
        Long last = lastSequence.put(envelope.publisherId(), envelope.sequence());
        if (last == null || envelope.sequence() <= last + 1) {
            return;
        }
        long missed = envelope.sequence() - last - 1;
        dropped.add(missed);
        missedSinceLog += missed;
        long now = System.nanoTime();
        if (now - lastDropLog >= DROP_LOG_INTERVAL_NANOS) {
            LOG.warn("Subscription to '{}' missed {} messages (a high-water mark was reached or the hub restarted); {} in all",
                    options.topic(), missedSinceLog, dropped.sum());
            missedSinceLog = 0;
            lastDropLog = now;
        }
    }

    /** Waits until the handlers hold less than their bound; false if the subscription closes first. */
    private boolean awaitRoom() {
        try {
            while (!held.tryAcquire(ZeroMqConnection.POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (stopReceiving) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A received message; ZeroMQ does not redeliver, so settling only frees room and counts failures. */
    private final class ZeroMqReceived implements Received {
        private final Message message;
        private final long publisherId;
        private final long sequence;

        ZeroMqReceived(Message message, long publisherId, long sequence) {
            this.message = message;
            this.publisherId = publisherId;
            this.sequence = sequence;
        }

        @Override
        public Message message() {
            return message;
        }

        @Override
        public String messageId() {
            return Frames.messageId(publisherId, options.topic(), sequence);
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public void acknowledge() {
            settled();
        }

        @Override
        public void release() {
            settled();
        }

        @Override
        public void dropped(String reason) {
            connection.counters().handlerFailures.increment();
            settled();
        }

        private void settled() {
            if (held != null) {
                held.release();
            }
        }
    }

    @Override
    public void stopReceiving() {
        stopReceiving = true;
    }

    /** The receive thread has handed over its last message (the portable layer drained it): it only has to end. */
    @Override
    public void close(Duration timeout) throws InterruptedException {
        stopReceiving = true;
        if (!join(receiver, System.nanoTime() + timeout.toNanos())) {
            LOG.warn("The receive thread of the subscription to '{}' still ran after {}", options.topic(), timeout);
        }
    }

    private void stop() {
        try {
            close(connection.context().operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean join(Thread thread, long deadline) throws InterruptedException {
        if (thread == Thread.currentThread()) {
            return true;
        }
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return !thread.isAlive();
    }

    @Override
    public String toString() {
        return "ZeroMqSubscription[" + options.topic() + ", dropped=" + dropped.sum() + "]";
    }
}
