package io.cloudportal.internal;

import io.cloudportal.ClosedException;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.messaging.BatchHandler;
import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.Rules;
import io.cloudportal.spi.DriverSubscriber;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A subscriber handle: validates subscription options, checks that the driver gives what they ask
 * for, and runs each subscription's {@link DeliveryEngine} over the driver's subscriber.
 */
final class PortableSubscriber implements Subscriber {

    static final int MAX_ATTEMPTS_LIMIT = 1000;
    static final int MAX_CONCURRENCY = 1024;

    private final DefaultPortal portal;
    private final DriverSubscriber driver;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Set<DeliveryEngine> open = ConcurrentHashMap.newKeySet();

    PortableSubscriber(DefaultPortal portal, DriverSubscriber driver) {
        this.portal = portal;
        this.driver = driver;
    }

    @Override
    public Subscription subscribe(SubscribeOptions options, MessageHandler handler) {
        Rules.notNull("handler", handler);
        validate(options);
        return start(options, (settings, deadLetterTopic, threads, onClosed) ->
                new DeliveryEngine(options, handler, settings, deadLetterTopic, threads, onClosed));
    }

    @Override
    public Subscription subscribeBatch(SubscribeOptions options, BatchOptions batching, BatchHandler handler) {
        Rules.notNull("batching", batching);
        Rules.notNull("handler", handler);
        validate(options);
        return start(options, (settings, deadLetterTopic, threads, onClosed) ->
                new DeliveryEngine(options, handler, batching, settings, deadLetterTopic, threads, onClosed));
    }

    /** Builds a subscription's engine once its settings are known. */
    @FunctionalInterface
    private interface EngineFactory {
        DeliveryEngine create(DeliveryEngine.Settings settings, String deadLetterTopic, java.util.concurrent.ThreadFactory threads,
                              Runnable onClosed);
    }

    private void validate(SubscribeOptions options) {
        portal.ensureOpen("subscribe()");
        if (closed.get()) {
            throw new ClosedException("cannot subscribe: the subscriber was closed");
        }
        check(options, portal.limits());
        portal.requireGuarantee(options.isBroadcast() ? Guarantee.BROADCAST : Guarantee.CONSUMER_GROUPS,
                options.isBroadcast() ? "a broadcast subscription" : "a consumer-group subscription");
        if (options.orderedByKey()) {
            portal.requireGuarantee(Guarantee.ORDER_PER_KEY, "a subscription ordered by key");
        }
        if (options.startPosition().isPresent()) {
            portal.requireGuarantee(Guarantee.REPLAY, "a start position (" + options.startPosition().get() + ")");
        }
        if (portal.capabilities().gives(Guarantee.DEAD_LETTER)) {
            // Refused now rather than when the first message is dead-lettered.
            String deadLetters = driver.deadLetterTopic(options);
            if (options.deadLetterTopic().isEmpty()) {
                try {
                    Rules.topic("dead-letter topic", deadLetters, portal.limits());
                } catch (InvalidArgumentException e) {
                    // Only a dead-letter topic itself can be this long: its own dead letters need a topic named for them.
                    throw new InvalidArgumentException("topic '" + options.topic() + "' has no default dead-letter topic: "
                            + e.getMessage() + "; name one with withDeadLetterTopic()");
                }
            }
        }
    }

    @Override
    public void resetGroup(String topic, String group, StartPosition position) {
        portal.ensureOpen("resetGroup()");
        Rules.topic("topic", topic, portal.limits());
        Rules.group(group, portal.limits());
        Rules.notNull("position", position);
        portal.requireGuarantee(Guarantee.REPLAY, "resetGroup()");
        driver.resetGroup(topic, group, position, portal.context().operationTimeout());
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        portal.ensureOpen("deadLetterTopic()");
        check(options, portal.limits());
        portal.requireGuarantee(Guarantee.DEAD_LETTER, "deadLetterTopic()");
        return driver.deadLetterTopic(options);
    }

    private Subscription start(SubscribeOptions options, EngineFactory engines) {
        boolean deadLetters = portal.capabilities().gives(Guarantee.DEAD_LETTER);
        int maxAttempts = options.maxAttempts() == SubscribeOptions.DEFAULT_MAX_ATTEMPTS
                ? driver.defaultMaxAttempts().orElse(options.maxAttempts()) : options.maxAttempts();
        DeliveryEngine.Settings settings = new DeliveryEngine.Settings(portal.driverName(),
                portal.capabilities().gives(Guarantee.REDELIVERY), deadLetters, maxAttempts, portal.context().operationTimeout(),
                portal.observers(), reply -> portal.internalPublisher().publish(reply));
        String deadLetterTopic = deadLetters ? driver.deadLetterTopic(options) : null;
        DeliveryEngine[] self = new DeliveryEngine[1];
        DeliveryEngine engine = engines.create(settings, deadLetterTopic, portal.context().threadFactory("handler-" + options.topic()), () -> {
            if (open.remove(self[0])) {
                settings.observers().subscriptionClosed(portal.driverName(), self[0]);
            }
            portal.forget(self[0]);
        });
        self[0] = engine;
        try {
            engine.attach(driver.subscribe(options, deadLetterTopic, engine));
        } catch (RuntimeException | Error e) {
            engine.abort();
            throw e;
        }
        open.add(engine);
        settings.observers().subscriptionOpened(portal.driverName(), engine);
        return portal.track(engine);
    }

    /** The subscriptions open now, for an observer attached after they opened. */
    List<Subscription> openSubscriptions() {
        return List.copyOf(open);
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            portal.forget(this);
            for (DeliveryEngine subscription : List.copyOf(open)) {
                subscription.close();
            }
        }
    }

    static void check(SubscribeOptions options, Limits limits) {
        Rules.notNull("options", options);
        Rules.topic("topic", options.topic(), limits);
        options.group().ifPresent(group -> Rules.group(group, limits));
        options.deadLetterTopic().ifPresent(dlt -> Rules.topic("dead-letter topic", dlt, limits));
        Rules.range("maxAttempts", options.maxAttempts(), 1, MAX_ATTEMPTS_LIMIT);
        Rules.range("concurrency", options.concurrency(), 1, MAX_CONCURRENCY);
        Rules.duration("retryBackoff", options.retryBackoff(), true);
    }
}
