package io.cloudportal.kafka;

import io.cloudportal.ClosedException;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Opens one consumer per subscription; a group maps to a Kafka consumer group of the same name. */
final class KafkaSubscriber implements Subscriber {

    /** Appended to a topic's name for its default dead-letter topic. */
    static final String DEAD_LETTER_SUFFIX = io.cloudportal.spi.Limits.DEAD_LETTER_SUFFIX;

    private final KafkaConnection connection;
    private final Set<KafkaSubscription> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean closed;

    KafkaSubscriber(KafkaConnection connection) {
        this.connection = connection;
    }

    @Override
    public Subscription subscribe(SubscribeOptions options, MessageHandler handler) {
        if (closed) {
            throw new ClosedException("cannot subscribe: the subscriber was closed");
        }
        KafkaSubscription subscription = new KafkaSubscription(connection, options, handler, deadLetterTopic(options),
                opened.incrementAndGet(), open::remove);
        open.add(subscription);
        subscription.start();
        return subscription;
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        return options.deadLetterTopic().orElse(options.topic() + DEAD_LETTER_SUFFIX);
    }

    @Override
    public void close() {
        closed = true;
        for (KafkaSubscription subscription : List.copyOf(open)) {
            subscription.close();
        }
    }
}
