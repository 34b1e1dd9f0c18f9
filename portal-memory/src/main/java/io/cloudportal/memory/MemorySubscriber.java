package io.cloudportal.memory;

import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Opens memory subscriptions and closes those still open when it closes. */
final class MemorySubscriber implements Subscriber {

    private final MemoryConnection connection;
    private final List<MemorySubscription> open = new CopyOnWriteArrayList<>();

    MemorySubscriber(MemoryConnection connection) {
        this.connection = connection;
    }

    @Override
    public Subscription subscribe(SubscribeOptions options, MessageHandler handler) {
        MemorySubscription[] self = new MemorySubscription[1];
        self[0] = new MemorySubscription(connection, options, handler, () -> open.remove(self[0]));
        open.add(self[0]);
        return self[0];
    }

    @Override
    public String deadLetterTopic(SubscribeOptions options) {
        return MemoryTopics.deadLetterTopic(options);
    }

    @Override
    public void close() {
        for (MemorySubscription subscription : new ArrayList<>(open)) {
            subscription.close();
        }
    }
}
