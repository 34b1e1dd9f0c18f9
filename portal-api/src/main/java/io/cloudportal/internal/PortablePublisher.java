package io.cloudportal.internal;

import io.cloudportal.PortalException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.Requests;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.OutgoingMessage;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A publisher handle: validates every message before it reaches the driver's one publisher,
 * refuses publishing once closed, and flushes what it published when it closes.
 */
final class PortablePublisher implements Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(PortablePublisher.class);

    private static final int MAX_REMEMBERED_TOPICS = 1024;

    private final DefaultPortal portal;
    private final DriverPublisher driver;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<String> validTopics = ConcurrentHashMap.newKeySet();

    PortablePublisher(DefaultPortal portal, DriverPublisher driver) {
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
        if (portal.observers().none()) {
            return driver.publish(message);
        }
        return observed(message, sent -> driver.publish(sent));
    }

    @Override
    public CompletableFuture<PublishResult> publish(Message message, Duration delay) {
        portal.ensureOpen("publish()");
        if (closed.get()) {
            throw new io.cloudportal.ClosedException("cannot publish: the publisher was closed");
        }
        portal.requireGuarantee(io.cloudportal.Guarantee.DELAYED_DELIVERY, "a delayed publish");
        Rules.duration("delay", delay, false);
        check(message, portal.limits());
        if (portal.observers().none()) {
            return driver.publish(message, delay);
        }
        return observed(message, sent -> driver.publish(sent, delay));
    }

    @Override
    public CompletableFuture<Message> request(Message message, Duration timeout) {
        portal.ensureOpen("request()");
        if (closed.get()) {
            throw new io.cloudportal.ClosedException("cannot send a request: the publisher was closed");
        }
        Rules.duration("timeout", timeout, false);
        check(message, portal.limits());
        for (String reserved : List.of(Requests.REPLY_TO_HEADER, Requests.CORRELATION_ID_HEADER)) {
            if (message.headers().containsKey(reserved)) {
                throw new io.cloudportal.InvalidArgumentException("header '" + reserved + "' of a request is Portal's to set: leave it out");
            }
        }
        return portal.requests().request(this, message, timeout);
    }

    @Override
    public List<CompletableFuture<PublishResult>> publishAll(List<Message> messages) {
        portal.ensureOpen("publishAll()");
        if (closed.get()) {
            throw new io.cloudportal.ClosedException("cannot publish: the publisher was closed");
        }
        Rules.notNull("messages", messages);
        List<Message> batch = new ArrayList<>(messages.size());
        Limits limits = portal.limits();
        for (int i = 0; i < messages.size(); i++) {
            Message message = messages.get(i);
            try {
                check(message, limits);
                driver.check(message);
            } catch (io.cloudportal.InvalidArgumentException e) {
                throw new io.cloudportal.InvalidArgumentException("messages[" + i + "] " + e.getMessage() + "; none of the "
                        + messages.size() + " messages was sent", e);
            }
            batch.add(message);
        }
        if (batch.isEmpty()) {
            return List.of();
        }
        if (portal.observers().none()) {
            return driver.publishAll(batch);
        }
        List<Observation> observations = new ArrayList<>(batch.size());
        List<Message> sent = new ArrayList<>(batch.size());
        for (Message message : batch) {
            OutgoingMessage outgoing = new OutgoingMessage(portal.driverName(), message.topic(), message.headers());
            observations.add(portal.observers().publishing(outgoing));
            sent.add(withObserversHeaders(message, outgoing));
        }
        List<CompletableFuture<PublishResult>> results;
        try {
            results = driver.publishAll(sent);
        } catch (RuntimeException e) {
            observations.forEach(observation -> ended(observation, e));
            throw e;
        }
        for (int i = 0; i < results.size(); i++) {
            Observation observation = observations.get(i);
            results.get(i).whenComplete((published, error) -> ended(observation, error));
        }
        return results;
    }

    /** A publish the observers hear, with the headers they add (trace context) on the message sent. */
    private CompletableFuture<PublishResult> observed(Message message,
                                                      java.util.function.Function<Message, CompletableFuture<PublishResult>> send) {
        OutgoingMessage outgoing = new OutgoingMessage(portal.driverName(), message.topic(), message.headers());
        Observation observation = portal.observers().publishing(outgoing);
        Message sent = withObserversHeaders(message, outgoing);
        CompletableFuture<PublishResult> result;
        try {
            result = send.apply(sent);
        } catch (RuntimeException e) {
            ended(observation, e);
            throw e;
        }
        result.whenComplete((published, error) -> ended(observation, error));
        return result;
    }

    private static Message withObserversHeaders(Message message, OutgoingMessage outgoing) {
        return outgoing.changed() ? new Message(message.topic(), message.key(), message.payload(), outgoing.headers()) : message;
    }

    private static void ended(Observation observation, Throwable error) {
        if (error == null) {
            observation.outcome("ok");
        } else {
            observation.outcome("error");
            observation.failed(error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error);
        }
        observation.end();
    }

    @Override
    public void flush(Duration timeout) throws InterruptedException {
        portal.ensureOpen("flush()");
        Rules.duration("timeout", timeout, true);
        driver.flush(timeout);
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            portal.forget(this);
            try {
                driver.flush(portal.context().operationTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (PortalException e) {
                // Each message's own future reports it; closing must not throw for what the broker has not answered yet.
                LOG.warn("Closing a publisher of {}: {}", portal, e.getMessage());
            }
        }
    }

    private void check(Message message, Limits limits) {
        Rules.notNull("message", message);
        // A publisher uses few topics, and matching the topic rule's pattern costs more than the rest of the checks.
        if (!validTopics.contains(message.topic())) {
            Rules.topic("topic", message.topic(), limits);
            if (validTopics.size() < MAX_REMEMBERED_TOPICS) {
                validTopics.add(message.topic());
            }
        }
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
