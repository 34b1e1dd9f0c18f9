package io.cloudportal.memory;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.spi.DriverPublisher;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Publishes into the backend's topic logs; a publish is complete when it returns, so flush has nothing to wait for. */
final class MemoryPublisher implements DriverPublisher {

    private final MemoryConnection connection;

    MemoryPublisher(MemoryConnection connection) {
        this.connection = connection;
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        return CompletableFuture.completedFuture(connection.backend().topics.topic(message.topic()).append(message));
    }

    @Override
    public void flush(Duration timeout) {
        // Every publish completed before it returned.
    }
}
