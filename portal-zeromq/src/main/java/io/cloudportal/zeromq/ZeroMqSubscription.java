package io.cloudportal.zeromq;

import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.SettlingDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

/**
 * One broadcast subscription: a SUB socket owned by a receive thread. It subscribes to its topic
 * and to a "ready?" topic of its own, and opens only once the hub answered the latter, so
 * every message published after {@code subscribe} returned reaches it. With concurrency 1 the
 * receive thread runs the handler; otherwise it hands messages to lanes (a key always to the
 * same lane, so per-key order holds), each with a bounded queue: a handler that cannot keep up
 * stops the receive thread, ZeroMQ's queues fill, and the hub drops, which the sequence numbers
 * count. Nothing is held without bound.
 */
final class ZeroMqSubscription implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(ZeroMqSubscription.class);
    private static final int LANE_CAPACITY = 1024;
    private static final int REMEMBERED_PUBLISHERS = 10_000;
    private static final long DROP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final ZeroMqConnection connection;
    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final Consumer<ZeroMqSubscription> onClose;
    private final byte[] topicFrame;
    private final LongAdder dropped;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Thread receiver;
    private final List<Lane> lanes = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private volatile boolean stopReceiving;
    private long roundRobin;
    private long missedSinceLog;
    private long lastDropLog;

    private ZeroMqSubscription(ZeroMqConnection connection, SubscribeOptions options, MessageHandler handler,
                               Consumer<ZeroMqSubscription> onClose) {
        this.connection = connection;
        this.options = options;
        this.handler = handler;
        this.onClose = onClose;
        this.topicFrame = Frames.topic(options.topic());
        this.dropped = connection.counters().droppedOn(options.topic());
        if (options.concurrency() > 1) {
            for (int i = 0; i < options.concurrency(); i++) {
                Lane lane = new Lane();
                lane.thread = connection.context().threadFactory("zeromq-handler").newThread(lane::run);
                lanes.add(lane);
            }
        }
        this.receiver = connection.context().threadFactory("zeromq-receive").newThread(this::receive);
    }

    static ZeroMqSubscription open(ZeroMqConnection connection, SubscribeOptions options, MessageHandler handler,
                                   Consumer<ZeroMqSubscription> onClose) {
        ZeroMqSubscription subscription = new ZeroMqSubscription(connection, options, handler, onClose);
        // The receiver first: a lane ends once the receiver has ended and its queue is empty.
        subscription.receiver.start();
        subscription.lanes.forEach(lane -> lane.thread.start());
        Duration timeout = connection.settings().connectTimeout();
        try {
            subscription.ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            subscription.close();
            throw new UnavailableException("the ZeroMQ " + connection.settings().hubDescription() + " did not confirm the subscription to '"
                    + options.topic() + "' within " + timeout + " (option 'connectTimeout')", e instanceof ExecutionException ? e.getCause() : e);
        } catch (InterruptedException e) {
            subscription.close();
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while subscribing to '" + options.topic() + "'", e);
        }
        return subscription;
    }

    @Override
    public SubscribeOptions options() {
        return options;
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
                SettlingDelivery delivery = SettlingDelivery.of(
                        new Message(options.topic(), envelope.key(), payload, envelope.headers()),
                        Frames.messageId(envelope.publisherId(), options.topic(), envelope.sequence()), 1);
                if (lanes.isEmpty()) {
                    handle(delivery);
                } else if (!handOver(delivery)) {
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

    private boolean handOver(SettlingDelivery delivery) {
        String key = delivery.message().key();
        int index = key != null ? Math.floorMod(key.hashCode(), lanes.size()) : (int) (roundRobin++ % lanes.size());
        BlockingQueue<SettlingDelivery> queue = lanes.get(index).queue;
        try {
            while (!queue.offer(delivery, ZeroMqConnection.POLL_MILLIS, TimeUnit.MILLISECONDS)) {
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

    private void handle(SettlingDelivery delivery) {
        try {
            handler.handle(delivery);
            delivery.ack();
        } catch (Exception e) {
            delivery.nack();
            connection.counters().handlerFailures.increment();
            LOG.warn("Handler of '{}' threw on message {}; ZeroMQ does not redeliver, so it is not handled: {}", options.topic(),
                    delivery.messageId(), e.toString());
        }
    }

    /** One handler thread with its own bounded queue; the receive thread is its only producer. */
    private final class Lane {
        final BlockingQueue<SettlingDelivery> queue = new ArrayBlockingQueue<>(LANE_CAPACITY);
        Thread thread;

        void run() {
            try {
                while (true) {
                    SettlingDelivery delivery = queue.poll(ZeroMqConnection.POLL_MILLIS, TimeUnit.MILLISECONDS);
                    if (delivery != null) {
                        handle(delivery);
                    } else if (!receiver.isAlive() && queue.isEmpty()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops receiving, lets the handlers finish what they were given (a message received is not
     * dropped by a graceful close), and closes the socket.
     */
    @Override
    public boolean close(Duration timeout) throws InterruptedException {
        if (!closing.compareAndSet(false, true)) {
            return true;
        }
        stopReceiving = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean finished = join(receiver, deadline);
        for (Lane lane : lanes) {
            finished &= join(lane.thread, deadline);
        }
        if (!finished) {
            LOG.warn("Subscription to '{}' closed while handlers still ran after {}", options.topic(), timeout);
        }
        onClose.accept(this);
        return finished;
    }

    private static boolean join(Thread thread, long deadline) throws InterruptedException {
        if (thread == Thread.currentThread()) {
            return true;
        }
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        return !thread.isAlive();
    }

    @Override
    public void close() {
        try {
            close(connection.context().operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "ZeroMqSubscription[" + options.topic() + ", dropped=" + dropped.sum() + "]";
    }
}
