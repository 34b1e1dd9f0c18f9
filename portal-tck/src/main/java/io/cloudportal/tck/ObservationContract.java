package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.OutgoingMessage;
import io.cloudportal.observation.PortalObserver;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The observation hooks on a real broker: a header an observer adds on publish (how trace
 * context travels: {@code portal-opentelemetry} writes W3C {@code traceparent} this way) reaches
 * the handler and the observer's view of each handler run, which starts and ends on the handler's
 * thread; retries and dead letters are heard once per event; a group's lag counts what it has
 * not handled, where the driver declares {@link Guarantee#CONSUMER_LAG}, and is absent elsewhere.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class ObservationContract extends MessagingSupport {

    private static final String CONTEXT = "x-portal-context";

    /** Adds a context header to every publish and records what it hears. */
    private static final class Recorder implements PortalObserver {
        private final AtomicInteger published = new AtomicInteger();
        private final AtomicInteger publishesEnded = new AtomicInteger();
        private final Set<String> contextsHeard = ConcurrentHashMap.newKeySet();
        private final List<String> outcomes = new CopyOnWriteArrayList<>();
        private final AtomicInteger otherThread = new AtomicInteger();
        private final AtomicInteger retries = new AtomicInteger();
        private final AtomicInteger deadLetters = new AtomicInteger();
        private final List<Subscription> opened = new CopyOnWriteArrayList<>();
        private final List<Subscription> closed = new CopyOnWriteArrayList<>();

        @Override
        public Observation publishing(OutgoingMessage message) {
            message.header(CONTEXT, "context-" + published.incrementAndGet());
            return publishesEnded::incrementAndGet;
        }

        @Override
        public Observation processing(IncomingMessage message) {
            String context = message.headers().get(CONTEXT);
            if (context != null) {
                contextsHeard.add(context);
            }
            Thread started = Thread.currentThread();
            return new Observation() {
                @Override
                public void outcome(String outcome) {
                    outcomes.add(outcome);
                }

                @Override
                public void end() {
                    if (Thread.currentThread() != started) {
                        otherThread.incrementAndGet();
                    }
                }
            };
        }

        @Override
        public void retrying(IncomingMessage message, String reason) {
            retries.incrementAndGet();
        }

        @Override
        public void deadLettered(IncomingMessage message, String reason) {
            deadLetters.incrementAndGet();
        }

        @Override
        public void subscriptionOpened(String system, Subscription subscription) {
            opened.add(subscription);
        }

        @Override
        public void subscriptionClosed(String system, Subscription subscription) {
            closed.add(subscription);
        }
    }

    @Test
    void aHeaderAnObserverAddsOnPublishReachesTheHandlerThroughTheBroker() throws Exception {
        String topic = unique("observed");
        Recorder recorder = new Recorder();
        Portal portal = open();
        Map<String, String> handled = new ConcurrentHashMap<>();
        try (Watch ignored = portal.observe(recorder);
             Subscription subscription = portal.subscriber().subscribe(subscription(topic), delivery ->
                     handled.put(delivery.message().payloadAsString(), String.valueOf(delivery.message().headers().get(CONTEXT))))) {
            for (int i = 0; i < 20; i++) {
                portal.publisher().publish(Message.of(topic, "key-" + (i % 4), "message-" + i)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            await().atMost(PATIENCE).until(() -> handled.size() == 20);
        }
        long withoutContext = handled.values().stream().filter(context -> !context.startsWith("context-")).count();
        figure("messages", handled.size());
        figure("handled without the observer's header", withoutContext);
        assertThat(withoutContext).as("messages whose handler did not get the header the observer added").isZero();
        assertThat(Set.copyOf(handled.values())).as("one context per publish").hasSize(20);
        assertThat(recorder.contextsHeard).as("contexts the observer's handler-run view saw").containsAll(handled.values());
        assertThat(recorder.publishesEnded).as("publish observations ended").hasValue(20);
        assertThat(recorder.outcomes).as("handler runs observed").hasSize(20).containsOnly("ack");
        assertThat(recorder.otherThread).as("handler-run observations ended on another thread than they started").hasValue(0);
    }

    @Test
    void retriesAndDeadLettersAreHeardOncePerEvent() throws Exception {
        if (!declares(Guarantee.REDELIVERY) || !declares(Guarantee.DEAD_LETTER)) {
            notApplicable("the driver does not redeliver and dead-letter");
            return;
        }
        String topic = unique("observed-poison");
        Recorder recorder = new Recorder();
        Portal portal = open();
        SubscribeOptions options = subscription(topic).withMaxAttempts(3);
        AtomicInteger attempts = new AtomicInteger();
        try (Watch ignored = portal.observe(recorder);
             Subscription subscription = portal.subscriber().subscribe(options, delivery -> {
                 if (delivery.message().payloadAsString().equals("poison")) {
                     attempts.incrementAndGet();
                     throw new IllegalStateException("poison");
                 }
             })) {
            portal.publisher().publish(Message.of(topic, "k", "poison")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> recorder.deadLetters.get() == 1);
        }
        figure("attempts", attempts.get());
        figure("retries heard", recorder.retries.get());
        figure("dead letters heard", recorder.deadLetters.get());
        assertThat(attempts).hasValue(3);
        assertThat(recorder.retries).as("retries heard for three attempts").hasValue(2);
        assertThat(recorder.deadLetters).hasValue(1);
        assertThat(recorder.outcomes).containsExactly("retry", "retry", "dead_letter");
    }

    @Test
    void aGroupsLagCountsWhatItHasNotHandledAndFallsToZero() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            notApplicable("CONSUMER_GROUPS not declared");
            return;
        }
        String topic = unique("lagging");
        Portal portal = open();
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger handled = new AtomicInteger();
        Recorder recorder = new Recorder();
        try (Watch ignored = portal.observe(recorder);
             Subscription subscription = portal.subscriber().subscribe(group(topic, unique("g")), delivery -> {
                 gate.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                 handled.incrementAndGet();
             })) {
            assertThat(recorder.opened).as("subscriptions the observer heard open").containsExactly(subscription);
            for (int i = 0; i < 50; i++) {
                portal.publisher().publish(Message.of(topic, "key-" + (i % 5), "message-" + i)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            if (!declares(Guarantee.CONSUMER_LAG)) {
                gate.countDown();
                await().atMost(PATIENCE).until(() -> handled.get() == 50);
                figure("lag", "not told");
                assertThat(subscription.lag()).as("the lag of a driver without CONSUMER_LAG").isEmpty();
                return;
            }
            await().atMost(PATIENCE).until(() -> subscription.lag().orElse(-1) == 50);
            figure("lag with the handler held", subscription.lag().getAsLong());
            gate.countDown();
            await().atMost(PATIENCE).until(() -> handled.get() == 50 && subscription.lag().orElse(-1) == 0);
            figure("lag once handled", subscription.lag().getAsLong());
        } finally {
            gate.countDown();
        }
        assertThat(recorder.closed).as("subscriptions the observer heard close").hasSize(1);
    }
}
