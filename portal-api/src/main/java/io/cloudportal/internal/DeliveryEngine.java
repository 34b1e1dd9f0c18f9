package io.cloudportal.internal;

import io.cloudportal.messaging.BatchHandler;
import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.RetryPolicy;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.spi.DeliverySink;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription's delivery, the same on every driver: handler threads and per-key lanes, the
 * attempts of a message retried in place after the policy's pause (which keeps per-key order),
 * dead-lettering with the {@link DeadLetters} headers, and draining on close. The driver fetches
 * and settles; see {@link io.cloudportal.spi.DriverSubscriber}.
 */
final class DeliveryEngine implements DeliverySink, Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryEngine.class);
    private static final Duration DEAD_LETTER_RETRY = Duration.ofSeconds(1);

    /** What the engine needs of the connection it runs on. */
    record Settings(String driverName, boolean redelivers, boolean deadLetters, int maxAttempts, Duration operationTimeout,
                    Observers observers, java.util.function.Function<Message, java.util.concurrent.CompletableFuture<PublishResult>> replies) {

        /** Settings of a connection that cannot publish replies. */
        Settings(String driverName, boolean redelivers, boolean deadLetters, int maxAttempts, Duration operationTimeout, Observers observers) {
            this(driverName, redelivers, deadLetters, maxAttempts, operationTimeout, observers, reply -> {
                throw new io.cloudportal.UnsupportedFacilityException("this connection cannot publish a reply");
            });
        }
    }

    private final SubscribeOptions options;
    private final MessageHandler handler;
    private final Settings settings;
    private final RetryPolicy retry;
    private final String deadLetterTopic;
    private final Lanes lanes;
    /** Null unless this is a batch subscription. */
    private final BatchSettlement batches;
    private final int batchSize;
    private final Runnable onClosed;
    private final AtomicInteger handlingHere = new AtomicInteger();
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Notified when closing starts, so that pauses end early, and when a handler called here returns. */
    private final Object progress = new Object();
    private volatile DriverSubscription driver;
    private volatile boolean stopping;
    private volatile boolean closed;

    DeliveryEngine(SubscribeOptions options, MessageHandler handler, Settings settings, String deadLetterTopic,
                   java.util.concurrent.ThreadFactory threads, Runnable onClosed) {
        this.options = options;
        this.handler = handler;
        this.settings = settings;
        this.retry = options.retryPolicy();
        this.deadLetterTopic = deadLetterTopic;
        this.onClosed = onClosed;
        this.batches = null;
        this.batchSize = 1;
        this.lanes = new HandlerLanes(options, threads, this::handleAll);
    }

    /** A batch subscription: the same engine, with batches cut by {@link BatchLanes} and settled by {@link BatchSettlement}. */
    DeliveryEngine(SubscribeOptions options, BatchHandler handler, BatchOptions batching, Settings settings, String deadLetterTopic,
                   java.util.concurrent.ThreadFactory threads, Runnable onClosed) {
        this.options = options;
        this.handler = null;
        this.settings = settings;
        this.retry = options.retryPolicy();
        this.deadLetterTopic = deadLetterTopic;
        this.onClosed = onClosed;
        this.batches = new BatchSettlement(this, handler);
        this.batchSize = batching.maxMessages();
        this.lanes = new BatchLanes(options, batching, threads, batches::settle);
    }

    /** Set once the driver's subscription started; messages may arrive before. */
    void attach(DriverSubscription subscription) {
        this.driver = subscription;
    }

    /** Ends the handler threads of a subscription the driver could not start. */
    void abort() {
        stopping = true;
        closed = true;
        lanes.shutdownNow();
    }

    // From the driver.

    @Override
    public void deliver(Received message) {
        try {
            lanes.submit(message);
        } catch (RejectedExecutionException e) {
            message.release();
        }
    }

    @Override
    public void deliver(List<? extends Received> messages) {
        try {
            lanes.submit(messages);
        } catch (RejectedExecutionException e) {
            messages.forEach(Received::release);
        }
    }

    @Override
    public boolean handleHere(Received message) {
        handlingHere.incrementAndGet();
        try {
            return batches == null ? settle(message) : batches.settle(List.of(message));
        } finally {
            handlingHere.decrementAndGet();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    @Override
    public boolean handleHere(List<? extends Received> messages) {
        if (batches == null) {
            return DeliverySink.super.handleHere(messages);
        }
        handlingHere.incrementAndGet();
        try {
            // Closing, each chunk still handles what the driver needs handled first and releases the rest.
            boolean all = true;
            for (int from = 0; from < messages.size(); from += batchSize) {
                all &= batches.settle(new ArrayList<>(messages.subList(from, Math.min(messages.size(), from + batchSize))));
            }
            return all;
        } finally {
            handlingHere.decrementAndGet();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    // Handler threads.

    private void handleAll(List<? extends Received> batch) {
        int i = 0;
        try {
            // Each message on its own: one released says nothing of the next, which may come from a partition this
            // member keeps, or be one the driver needs handled before closing.
            for (; i < batch.size(); i++) {
                settle(batch.get(i));
            }
        } finally {
            // A handler thread ended by an Error: the rest is released, and the backend delivers it again.
            for (; i < batch.size(); i++) {
                batch.get(i).release();
            }
        }
    }

    /**
     * Delivers a message until the handler takes it, the backend took it back for later, or it
     * was dead-lettered; false if it was released instead (closing, or the driver lost it).
     */
    private boolean settle(Received received) {
        if (releasedUnstarted(received)) {
            return false;
        }
        for (int attempt = received.attempt(); ; attempt++) {
            EngineDelivery delivery = new EngineDelivery(this, received, attempt);
            IncomingMessage observed = settings.observers().none() ? null : observed(received, attempt);
            Observation observation = observed == null ? Observation.NONE : settings.observers().processing(observed);
            Throwable failure = null;
            try {
                handler.handle(delivery);
            } catch (Exception | Error e) {
                failure = handlerFailed(e);
            }
            EngineDelivery.Outcome outcome = delivery.settleAfter(failure);
            boolean deadLetter = !outcome.acknowledged() && settings.redelivers() && (outcome.deadLetterNow()
                    || attempt >= settings.maxAttempts() || (failure != null && !retry.retries(failure)));
            if (observed != null) {
                endObservation(observation, observed, outcome, failure, deadLetter);
            }
            if (outcome.acknowledged()) {
                received.acknowledge();
                return true;
            }
            if (!settings.redelivers()) {
                LOG.warn("Handler of '{}' failed on message {}; {} does not redeliver, so it is not handled: {}", options.topic(),
                        received.messageId(), settings.driverName(), outcome.reason());
                received.dropped(outcome.reason());
                return true;
            }
            LOG.debug("Handler of '{}' failed on message {} (attempt {} of {}): {}", options.topic(), received.messageId(), attempt,
                    settings.maxAttempts(), outcome.reason(), failure);
            if (deadLetter) {
                return deadLetter(received, attempt, outcome.reason());
            }
            Duration pause = retry.pauseAfter(attempt);
            if (received.redeliverLater(pause)) {
                return true;
            }
            if (!pause(pause) || received.stale()) {
                received.release();
                return false;
            }
        }
    }

    /**
     * Releases a message no handler should start: the driver lost it, or the subscription is
     * closing and the driver does not need it handled first (so the backend delivers it again).
     */
    boolean releasedUnstarted(Received received) {
        if (received.stale() || stopping && !received.handleBeforeClosing()) {
            received.release();
            return true;
        }
        return false;
    }

    /** A handler's failure, with the thread's interrupt flag as the next step needs it. */
    Throwable handlerFailed(Throwable e) {
        if (e instanceof InterruptedException && stopping) {
            // The engine's own interrupt of a handler that outlived the drain: keep it, and stop.
            Thread.currentThread().interrupt();
        } else if (e instanceof InterruptedException) {
            // Nobody but the engine interrupts its handlers, and only when closing: this is the handler's own
            // failure, retried as any other; a flag left set would end the pause before the retry at once.
            Thread.interrupted();
        }
        return e;
    }

    IncomingMessage observed(Received received, int attempt) {
        return new IncomingMessage(settings.driverName(), options.topic(), options.group(), received.messageId(), attempt,
                received.message().headers());
    }

    /** Ends a handler run's observation on the handler's thread, before a dead letter is published or a pause begins. */
    void endObservation(Observation observation, IncomingMessage observed, EngineDelivery.Outcome outcome, Throwable failure,
                                boolean deadLetter) {
        String word = outcome.acknowledged() ? "ack" : !settings.redelivers() ? "dropped" : deadLetter ? "dead_letter" : "retry";
        observation.outcome(word);
        if (failure != null) {
            observation.failed(failure);
        }
        observation.end();
        if (deadLetter) {
            settings.observers().deadLettered(observed, outcome.reason());
        } else if (!outcome.acknowledged() && settings.redelivers()) {
            settings.observers().retrying(observed, outcome.reason());
        }
    }

    /** Publishes the dead letter and acknowledges the original only once the backend has it: a dead letter is never lost between. */
    boolean deadLetter(Received received, int attempts, String reason) {
        if (!settings.deadLetters() || deadLetterTopic == null) {
            LOG.warn("Message {} of '{}' failed {} attempt(s) and {} keeps no dead letters; it is dropped: {}", received.messageId(),
                    options.topic(), attempts, settings.driverName(), reason);
            received.dropped(reason);
            return true;
        }
        Message original = received.message();
        Map<String, String> headers = new LinkedHashMap<>(original.headers());
        headers.put(DeadLetters.REASON_HEADER, reason);
        headers.put(DeadLetters.ATTEMPTS_HEADER, Integer.toString(attempts));
        headers.put(DeadLetters.ORIGINAL_TOPIC_HEADER, original.topic());
        headers.put(DeadLetters.ORIGINAL_ID_HEADER, received.messageId());
        Message dead = new Message(deadLetterTopic, original.key(), original.payload(), headers);
        while (true) {
            try {
                driver.deadLetter(received, deadLetterTopic, dead).toCompletableFuture()
                        .get(settings.operationTimeout().toMillis(), TimeUnit.MILLISECONDS);
                LOG.debug("Dead-lettered {} of '{}' to '{}' after {} attempt(s): {}", received.messageId(), options.topic(),
                        deadLetterTopic, attempts, reason);
                received.acknowledge();
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                received.release();
                return false;
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                LOG.warn("Could not dead-letter {} of '{}' to '{}'; trying again: {}", received.messageId(), options.topic(),
                        deadLetterTopic, cause.toString());
                // The backend's own redelivery (and dead-lettering, where it has one) then takes over.
                if (received.redeliverLater(retry.pauseAfter(attempts))) {
                    return true;
                }
                if (!pause(DEAD_LETTER_RETRY) || received.stale()) {
                    received.release();
                    return false;
                }
            }
        }
    }

    /** Waits, unless the subscription starts closing; true if it is still open. */
    boolean pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        synchronized (progress) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(progress, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return !stopping;
    }

    // The subscription.

    @Override
    public SubscribeOptions options() {
        return options;
    }

    @Override
    public OptionalLong lag() {
        DriverSubscription current = driver;
        return current == null || closed ? OptionalLong.empty() : current.lag();
    }

    boolean isClosed() {
        return closed;
    }

    Settings settings() {
        return settings;
    }

    boolean deadLetters() {
        return settings.deadLetters();
    }

    String driverName() {
        return settings.driverName();
    }

    /**
     * Stops the driver receiving, lets the handlers running finish (what they had not started is
     * released, so the backend delivers it again), then closes the driver's side, which commits.
     */
    @Override
    public boolean close(Duration timeout) throws InterruptedException {
        io.cloudportal.spi.Rules.duration("timeout", timeout, true);
        if (!closing.compareAndSet(false, true)) {
            return true;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean drained = false;
        try {
            DriverSubscription current = driver;
            if (current != null) {
                current.stopReceiving();
            }
            synchronized (progress) {
                stopping = true;
                progress.notifyAll();
            }
            lanes.shutdown();
            drained = lanes.awaitTermination(deadline);
            synchronized (progress) {
                long left;
                while (handlingHere.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(progress, Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
                }
            }
            drained &= handlingHere.get() == 0;
            if (!drained) {
                LOG.warn("Handlers of '{}' still running after {}; their messages will be delivered again", options.topic(), timeout);
                lanes.shutdownNow();
            }
            if (current != null) {
                current.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            }
            return drained;
        } finally {
            closed = true;
            onClosed.run();
        }
    }

    @Override
    public void close() {
        try {
            close(settings.operationTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + options.topic() + options.group().map(g -> ", group " + g).orElse(", broadcast") + "]";
    }
}
