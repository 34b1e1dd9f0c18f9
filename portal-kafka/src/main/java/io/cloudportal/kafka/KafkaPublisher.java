package io.cloudportal.kafka;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.spi.DriverPublisher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * Publishes through the connection's producer. The future completes on the producer's I/O thread
 * once the broker acknowledged (with {@code acks=all}: once the in-sync replicas have it); chain
 * blocking work with the {@code …Async} methods.
 */
final class KafkaPublisher implements DriverPublisher {

    private final KafkaConnection connection;
    /** Sent and not yet answered; only counted, for the flush timeout's message. */
    private final LongAdder unanswered = new LongAdder();

    KafkaPublisher(KafkaConnection connection) {
        this.connection = connection;
    }

    @Override
    public void check(Message message) {
        int size = KafkaRecords.sizeUpperBound(message);
        if (size > connection.settings().maxRequestSize()) {
            throw new InvalidArgumentException("message to topic '" + message.topic() + "' takes up to " + size
                    + " bytes as a Kafka record: at most max.request.size = " + connection.settings().maxRequestSize()
                    + " bytes are allowed (raise it with the option 'kafka.producer.max.request.size')");
        }
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        check(message);
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        try {
            // Blocks, at most 'maxBlock', the first time a topic is used, as the producer itself does for metadata.
            connection.topics().ensure(message.topic());
            send(connection.producer(), message, result);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            result.completeExceptionally(new PortalException("interrupted while publishing to '" + message.topic() + "'", e));
        } catch (RuntimeException e) {
            result.completeExceptionally(KafkaErrors.map("publishing to '" + message.topic() + "'", e));
        }
        return result;
    }

    private void send(Producer<byte[], byte[]> producer, Message message, CompletableFuture<PublishResult> result) {
        unanswered.increment();
        try {
            producer.send(KafkaRecords.toRecord(message), (metadata, error) -> complete(message, result, metadata, error));
        } catch (RuntimeException e) {
            unanswered.decrement();
            throw e;
        }
    }

    private void complete(Message message, CompletableFuture<PublishResult> result, RecordMetadata metadata, Exception error) {
        unanswered.decrement();
        if (error instanceof org.apache.kafka.common.errors.TimeoutException) {
            result.completeExceptionally(new PortalTimeoutException("publishing to '" + message.topic() + "' was not acknowledged within"
                    + " the option 'deliveryTimeout' (or blocked past 'maxBlock'): " + error.getMessage(), error));
        } else if (error != null) {
            result.completeExceptionally(KafkaErrors.map("publishing to '" + message.topic() + "'", error));
        } else {
            result.complete(new PublishResult(metadata.topic(), metadata.partition(), metadata.offset(),
                    KafkaRecords.messageId(metadata.topic(), metadata.partition(), metadata.offset())));
        }
    }

    /**
     * Waits for the producer's own flush, which returns once every record sent before it was
     * answered and its callback — which completes the publish future — has run. It takes no
     * timeout (records give up after {@code deliveryTimeout}), so it runs on a thread of its own.
     */
    @Override
    public void flush(Duration timeout) throws InterruptedException {
        if (unanswered.sum() == 0) {
            return;
        }
        Producer<byte[], byte[]> producer = connection.producer();
        CompletableFuture<Void> flushed = new CompletableFuture<>();
        connection.context().threadFactory("kafka-flush").newThread(() -> {
            try {
                producer.flush();
                flushed.complete(null);
            } catch (RuntimeException e) {
                flushed.completeExceptionally(e);
            }
        }).start();
        try {
            flushed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw KafkaErrors.map("flushing the publisher", e);
        } catch (TimeoutException e) {
            throw new PortalTimeoutException(unanswered.sum() + " published messages were still unacknowledged after " + timeout, e);
        }
    }
}
