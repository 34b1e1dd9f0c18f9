package io.cloudportal.rocketmq;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.ClosedException;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.NotFoundException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.spi.DriverPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.MessageQueueSelector;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;

/**
 * Publishes through the connection's producer with asynchronous sends: a future completes on
 * SEND_OK and fails with the status otherwise. A message's key picks its queue (the same key, the
 * same queue, so order per key holds); headers become user properties.
 *
 * <p>A future completes on the RocketMQ client's I/O thread that read the broker's answer (as
 * Kafka's do on its producer thread): chain blocking work with the {@code …Async} methods. A
 * publish made from such a continuation is handed to the connection's send threads, since
 * finding a new topic's route or waiting for room may block.
 */
final class RocketMqPublisher implements DriverPublisher {

    /** The same key always lands in the same queue while the topic's queue count stays the same. */
    private static final MessageQueueSelector BY_KEY = (queues, message, key) -> queues.get(Math.floorMod(key.hashCode(), queues.size()));

    private static final int MAX_BATCH_MESSAGES = 256;
    /** A quarter of RocketMQ's default maxMessageSize (4 MiB), which a batch's whole body must fit. */
    private static final long MAX_BATCH_BYTES = 1L << 20;

    private static final long FIRST_BUSY_PAUSE_MILLIS = 10;
    private static final long MAX_BUSY_PAUSE_MILLIS = 500;

    /** Set while a publish future completes on a RocketMQ I/O thread, where a new send must not block. */
    private static final ThreadLocal<Boolean> COMPLETING = ThreadLocal.withInitial(() -> false);

    private final RocketMqConnection connection;
    private final DefaultMQProducer producer;
    private final Set<CompletableFuture<PublishResult>> inFlight = ConcurrentHashMap.newKeySet();
    /** The last publish of each key still in flight. */
    private final ConcurrentHashMap<String, CompletableFuture<PublishResult>> keyTails = new ConcurrentHashMap<>();
    private volatile boolean closed;

    RocketMqPublisher(RocketMqConnection connection) {
        this.connection = connection;
        this.producer = connection.producer();
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        return send(message, 0);
    }

    @Override
    public void check(Message message) {
        RocketMqMessages.check(message.topic(), message);
    }

    /**
     * Runs of messages without a key to one topic go as RocketMQ batches (one request and one
     * stored batch per at most {@value #MAX_BATCH_MESSAGES} messages or {@value #MAX_BATCH_BYTES}
     * bytes, on a queue the producer picks); a message with a key goes on its own, in its key's
     * line, since a batch lands on one queue and the key chooses the queue.
     */
    @Override
    public List<CompletableFuture<PublishResult>> publishAll(List<Message> messages) {
        if (closed) {
            throw new ClosedException("cannot publish: the publisher was closed");
        }
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(messages.size());
        int next = 0;
        while (next < messages.size()) {
            Message first = messages.get(next);
            int end = next + 1;
            if (first.key() == null) {
                long bytes = batchBytes(first);
                while (end < messages.size() && end - next < MAX_BATCH_MESSAGES && messages.get(end).key() == null
                        && messages.get(end).topic().equals(first.topic()) && bytes + batchBytes(messages.get(end)) <= MAX_BATCH_BYTES) {
                    bytes += batchBytes(messages.get(end));
                    end++;
                }
            }
            if (end - next == 1) {
                results.add(send(first, 0));
            } else {
                results.addAll(sendBatch(first.topic(), messages.subList(next, end)));
            }
            next = end;
        }
        return results;
    }

    /** What a message adds to a batch's body, a little over: RocketMQ's per-message encoding and its properties. */
    private static long batchBytes(Message message) {
        long bytes = 64L + message.payloadSize();
        for (Map.Entry<String, String> header : message.headers().entrySet()) {
            bytes += 2L + 3L * (header.getKey().length() + header.getValue().length());
        }
        return bytes;
    }

    private List<CompletableFuture<PublishResult>> sendBatch(String topic, List<Message> batch) {
        List<org.apache.rocketmq.common.message.Message> outgoing = new ArrayList<>(batch.size());
        for (Message message : batch) {
            outgoing.add(RocketMqMessages.toRocketMq(topic, message));
        }
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            CompletableFuture<PublishResult> result = new CompletableFuture<>();
            inFlight.add(result);
            result.whenComplete((r, e) -> inFlight.remove(result));
            results.add(result);
        }
        Consumer<PortalException> failed = e -> results.forEach(result -> result.completeExceptionally(e));
        Consumer<SendResult> answered = sent -> {
            if (sent.getSendStatus() != SendStatus.SEND_OK) {
                failed.accept(notDurable(topic, sent.getSendStatus()));
                return;
            }
            // A batch is stored at consecutive offsets of one queue; its ids come joined by commas, in the batch's order.
            String[] ids = sent.getMsgId().split(",");
            for (int i = 0; i < results.size(); i++) {
                results.get(i).complete(new PublishResult(topic, sent.getMessageQueue().getQueueId(), sent.getQueueOffset() + i,
                        i < ids.length ? ids[i] : sent.getMsgId()));
            }
        };
        boolean offload = COMPLETING.get();
        Runnable send = () -> {
            try {
                connection.ensureTopic(topic, connection.settings().queues());
                attempt(topic, (callback, timeout) -> producer.send(outgoing, callback, timeout), answered, failed,
                        System.nanoTime() + connection.settings().sendTimeout().toNanos(), 0);
            } catch (RuntimeException e) {
                failed.accept(failure(topic, e));
            }
        };
        start(send, offload, failed);
        return results;
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message, Duration delay) {
        int level = connection.settings().delayLevelAtLeast(delay);
        if (level == 0) {
            throw new InvalidArgumentException("delay " + delay + " is longer than the longest RocketMQ delay level ("
                    + connection.settings().longestDelay() + "; option 'delayLevels' names the broker's levels)");
        }
        return send(message, level);
    }

    private CompletableFuture<PublishResult> send(Message message, int delayLevel) {
        if (closed) {
            throw new ClosedException("cannot publish: the publisher was closed");
        }
        org.apache.rocketmq.common.message.Message outgoing = RocketMqMessages.toRocketMq(message.topic(), message);
        if (delayLevel > 0) {
            outgoing.setDelayTimeLevel(delayLevel);
        }
        // On a RocketMQ I/O thread (a continuation of another publish) the topic check and the send, which may block, go to the
        // send threads; the key's place in line is still taken here, so sends of one key keep the order they were made in.
        boolean offload = COMPLETING.get();
        if (!offload) {
            connection.ensureTopic(message.topic(), connection.settings().queues());
        }
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        inFlight.add(result);
        result.whenComplete((r, e) -> inFlight.remove(result));
        Runnable send = () -> {
            try {
                if (offload) {
                    connection.ensureTopic(message.topic(), connection.settings().queues());
                }
                attempt(message, outgoing, result, System.nanoTime() + connection.settings().sendTimeout().toNanos(), 0);
            } catch (RuntimeException e) {
                result.completeExceptionally(failure(message.topic(), e));
            }
        };
        if (message.key() == null) {
            start(send, offload, result::completeExceptionally);
            return result;
        }
        // Sends of one key go one at a time: pipelined, RocketMQ's async sender threads, the broker's send threads and the
        // busy retries below could each store them out of order. Different keys still go in parallel.
        CompletableFuture<?>[] previous = new CompletableFuture<?>[1];
        keyTails.compute(message.key(), (key, tail) -> {
            previous[0] = tail;
            return result;
        });
        if (previous[0] == null) {
            start(send, offload, result::completeExceptionally);
        } else {
            // Not on the thread that completed the previous send (a RocketMQ I/O thread): a send may wait for room.
            previous[0].whenCompleteAsync((r, e) -> send.run(), connection.sendExecutor());
        }
        result.whenComplete((r, e) -> keyTails.remove(message.key(), result));
        return result;
    }

    private void start(Runnable send, boolean offload, Consumer<PortalException> failed) {
        if (!offload) {
            send.run();
            return;
        }
        try {
            connection.sendExecutor().execute(send);
        } catch (RejectedExecutionException e) {
            failed.accept(new ClosedException("cannot publish: the RocketMQ connection is closing"));
        }
    }

    /** Sends one message through {@link #attempt}, its key choosing the queue. */
    private void attempt(Message message, org.apache.rocketmq.common.message.Message outgoing, CompletableFuture<PublishResult> result,
                         long deadline, int busyAnswers) {
        attempt(message.topic(), (callback, timeout) -> {
            if (message.key() != null) {
                producer.send(outgoing, BY_KEY, message.key(), callback, timeout);
            } else {
                producer.send(outgoing, callback, timeout);
            }
        }, sent -> {
            if (sent.getSendStatus() == SendStatus.SEND_OK) {
                result.complete(new PublishResult(message.topic(), sent.getMessageQueue().getQueueId(), sent.getQueueOffset(), sent.getMsgId()));
            } else {
                result.completeExceptionally(notDurable(message.topic(), sent.getSendStatus()));
            }
        }, result::completeExceptionally, deadline, busyAnswers);
    }

    /** One request RocketMQ answers once: a message's send or a batch's. */
    private interface Send {
        void with(SendCallback callback, long timeoutMillis) throws MQClientException, RemotingException, MQBrokerException, InterruptedException;
    }

    /**
     * Sends once; a broker that answers SYSTEM_BUSY (its send queue is full: nothing was stored) is
     * asked again after a growing pause until {@code sendTimeout} has passed, as RocketMQ's own
     * synchronous send does but its asynchronous one does not. The answer is handed on with
     * {@link #COMPLETING} set.
     */
    private void attempt(String topic, Send send, Consumer<SendResult> answered, Consumer<PortalException> failed, long deadline, int busyAnswers) {
        SendCallback callback = new SendCallback() {
            @Override
            public void onSuccess(SendResult sent) {
                completing(() -> answered.accept(sent));
            }

            @Override
            public void onException(Throwable e) {
                long pause = Math.min(MAX_BUSY_PAUSE_MILLIS, FIRST_BUSY_PAUSE_MILLIS << Math.min(busyAnswers, 10));
                if (busy(e) && !closed && System.nanoTime() + pause * 1_000_000 < deadline) {
                    try {
                        connection.timers().schedule(() -> connection.sendExecutor().execute(
                                () -> attempt(topic, send, answered, failed, deadline, busyAnswers + 1)), pause, TimeUnit.MILLISECONDS);
                        return;
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        // The connection is closing: report the busy answer.
                    }
                }
                completing(() -> failed.accept(failure(topic, e)));
            }
        };
        long timeout = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        try {
            send.with(callback, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.accept(new UnavailableException("interrupted while publishing to '" + topic + "'", e));
        } catch (MQClientException | RemotingException | MQBrokerException | RuntimeException e) {
            failed.accept(failure(topic, e));
        }
    }

    /** Completes a future with {@link #COMPLETING} set, so that publishes its continuations make leave this thread. */
    private static void completing(Runnable completion) {
        boolean outer = COMPLETING.get();
        COMPLETING.set(true);
        try {
            completion.run();
        } finally {
            COMPLETING.set(outer);
        }
    }

    private static boolean busy(Throwable e) {
        return e instanceof MQBrokerException broker && broker.getResponseCode() == ResponseCode.SYSTEM_BUSY;
    }

    static PortalException notDurable(String topic, SendStatus status) {
        return new UnavailableException("RocketMQ answered " + status + " for a message to '" + topic
                + "': the master broker has it but " + switch (status) {
                    case FLUSH_DISK_TIMEOUT -> "did not flush it to disk in time";
                    case FLUSH_SLAVE_TIMEOUT -> "no slave confirmed it in time";
                    case SLAVE_NOT_AVAILABLE -> "no slave is available to copy it to";
                    default -> "not as durably as configured";
                } + "; publish it again if it must survive a broker failure");
    }

    static PortalException failure(String topic, Throwable e) {
        if (e instanceof PortalException portal) {
            return portal;
        }
        if (e instanceof MQClientException client && client.getResponseCode() == ResponseCode.TOPIC_NOT_EXIST) {
            return new NotFoundException("RocketMQ has no topic '" + topic + "': " + client.getErrorMessage(), e);
        }
        if (e instanceof MQClientException client && client.getResponseCode() == ResponseCode.MESSAGE_ILLEGAL) {
            return new InvalidArgumentException("RocketMQ refused a message to '" + topic + "': " + client.getErrorMessage(), e);
        }
        if (RocketMqConnection.refusedAccess(e)) {
            return new AccessDeniedException("RocketMQ refused publishing to '" + topic + "': " + e.getMessage()
                    + " (check 'accessKey' and 'secretKey', and the user's permissions)", e);
        }
        if (e instanceof RemotingTimeoutException || e.getCause() instanceof RemotingTimeoutException) {
            return new PortalTimeoutException("publishing to '" + topic + "' timed out: " + e.getMessage(), e);
        }
        String detail = e instanceof MQBrokerException broker ? broker.getErrorMessage() : e.getMessage();
        return new UnavailableException("publishing to '" + topic + "' failed: " + detail, e);
    }

    @Override
    public void flush(Duration timeout) throws InterruptedException {
        List<CompletableFuture<PublishResult>> pending = List.copyOf(inFlight);
        try {
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // A failed publish is settled: its own future reports it.
        } catch (TimeoutException e) {
            long left = pending.stream().filter(f -> !f.isDone()).count();
            throw new PortalTimeoutException(left + " message(s) still unacknowledged by RocketMQ after " + timeout);
        }
    }

    /** The connection closes: what is still unanswered after a flush fails with {@link ClosedException}. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flush(connection.operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (PortalTimeoutException e) {
            // Reported below, on each future left.
        }
        for (CompletableFuture<PublishResult> left : List.copyOf(inFlight)) {
            left.completeExceptionally(new ClosedException("the publisher was closed before RocketMQ acknowledged the message"));
        }
    }
}
