package io.cloudportal.zeromq;

import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Opens broadcast subscriptions, each on its own SUB socket and thread. */
final class ZeroMqSubscriber implements Subscriber {

    private final ZeroMqConnection connection;
    private final Set<ZeroMqSubscription> open = ConcurrentHashMap.newKeySet();

    ZeroMqSubscriber(ZeroMqConnection connection) {
        this.connection = connection;
    }

    @Override
    public Subscription subscribe(SubscribeOptions options, MessageHandler handler) {
        ZeroMqSubscription subscription = ZeroMqSubscription.open(connection, options, handler, open::remove);
        open.add(subscription);
        return subscription;
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        throw new UnsupportedFacilityException("ZeroMQ keeps no messages and dead-letters none");
    }

    @Override
    public void close() {
        for (ZeroMqSubscription subscription : Set.copyOf(open)) {
            subscription.close();
        }
    }
}
