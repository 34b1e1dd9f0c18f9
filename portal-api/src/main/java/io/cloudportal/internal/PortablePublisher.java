package io.cloudportal.internal;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** Validates every message before it reaches the driver. */
final class PortablePublisher implements Publisher {

    private final DefaultPortal portal;
    private final Publisher driver;
    private final AtomicBoolean closed = new AtomicBoolean();

    PortablePublisher(DefaultPortal portal, Publisher driver) {
        this.portal = portal;
        this.driver = driver;
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message) {
        portal.ensureOpen("publish()");
        if (closed.get()) {
            throw new io.cloudportal.ClosedException("cannot publish: the publisher was closed");
        }
        check(message, portal.limits());
        return driver.publish(message);
    }

    @Override
    public void flush(Duration timeout) throws InterruptedException {
        portal.ensureOpen("flush()");
        Rules.duration("timeout", timeout, true);
        driver.flush(timeout);
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            portal.forget(this);
            driver.close();
        }
    }

    static void check(Message message, Limits limits) {
        Rules.notNull("message", message);
        Rules.topic("topic", message.topic(), limits);
        if (message.key() != null) {
            Rules.text("message key", message.key(), limits.maxKeyLength());
        }
        if (message.payloadSize() > limits.maxPayloadBytes()) {
            throw new io.cloudportal.InvalidArgumentException("payload is " + message.payloadSize() + " bytes: at most "
                    + limits.maxPayloadBytes() + " bytes are allowed");
        }
        Rules.headers(message.headers(), limits.maxHeadersBytes());
    }
}
