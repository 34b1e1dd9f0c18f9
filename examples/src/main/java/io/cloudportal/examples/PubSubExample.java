package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.micrometer.PortalMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.RetryPolicy;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Publish and consume: orders are published; the {@code billing} consumer group of two members
 * shares them; an {@code audit} listener subscribed as broadcast sees every one; a poison order
 * whose handler always throws is retried, then lands in the dead-letter topic.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.PubSubExample</pre>
 */
public final class PubSubExample {

    private static final int ORDERS = 20;

    private PubSubExample() {
    }

    /**
     * Runs the example on the configured messaging backend (an embedded Kafka if none).
     *
     * @param args unused
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Transcript out = Transcript.console();
        try (Backend backend = Backend.messaging(out)) {
            run(backend::connect, out);
        }
    }

    /**
     * The example itself.
     *
     * @param connect opens a connection, as one process of the system would
     * @param out where the example says what happens
     * @throws Exception if a step fails
     */
    public static void run(Supplier<Portal> connect, Transcript out) throws Exception {
        // A fresh topic per run, so a second run against the same broker starts clean.
        String topic = "orders-" + Long.toString(System.currentTimeMillis(), 36);
        // A failed order is tried again after 200 ms, then 400 ms, and goes to the dead-letter topic after the third attempt.
        SubscribeOptions billing = SubscribeOptions.group(topic, "billing").withMaxAttempts(3)
                .withRetryPolicy(RetryPolicy.exponential(Duration.ofMillis(200), Duration.ofSeconds(2)));
        CountDownLatch billed = new CountDownLatch(ORDERS);
        CountDownLatch audited = new CountDownLatch(ORDERS + 1);
        CountDownLatch deadLettered = new CountDownLatch(1);
        List<Portal> connections = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        // Your application's registry; here a simple one, read at the end.
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            for (int member = 1; member <= 2; member++) {
                Portal billingMember = open(connect, connections);
                PortalMetrics.bind(billingMember, meters);
                String name = "billing-" + member;
                // Returning acknowledges; throwing has the message delivered again, up to maxAttempts.
                subscriptions.add(billingMember.subscriber().subscribe(billing, delivery -> {
                    Message order = delivery.message();
                    if (order.payloadAsString().startsWith("poison")) {
                        out.say("%s cannot bill %s (attempt %d of 3)", name, order.payloadAsString(), delivery.attempt());
                        throw new IllegalArgumentException("no price for " + order.payloadAsString());
                    }
                    out.say("%s bills %s for %s", name, order.payloadAsString(), order.key());
                    billed.countDown();
                }));
            }
            Portal auditor = open(connect, connections);
            subscriptions.add(auditor.subscriber().subscribe(SubscribeOptions.broadcast(topic), delivery -> {
                out.say("audit saw %s", delivery.message().payloadAsString());
                audited.countDown();
            }));
            String deadLetterTopic = auditor.subscriber().deadLetterTopic(billing);
            subscriptions.add(auditor.subscriber().subscribe(SubscribeOptions.group(deadLetterTopic, "ops"), delivery -> {
                Message dead = delivery.message();
                out.say("dead letter in %s: %s after %s attempts, because %s", deadLetterTopic, dead.payloadAsString(),
                        dead.headers().get(DeadLetters.ATTEMPTS_HEADER), dead.headers().get(DeadLetters.REASON_HEADER));
                deadLettered.countDown();
            }));

            Portal shop = open(connect, connections);
            List<CompletableFuture<PublishResult>> published = new ArrayList<>();
            for (int n = 1; n <= ORDERS; n++) {
                // The key is the customer: one customer's orders keep their order, different customers spread out.
                published.add(shop.publisher().publish(Message.of(topic, "customer-" + n, "order-" + n)));
            }
            published.add(shop.publisher().publish(Message.of(topic, "customer-0", "poison-order")));
            CompletableFuture.allOf(published.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            out.say("shop published %d orders and 1 poison order to %s", ORDERS, topic);

            if (!billed.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 30 s for billing to bill every order");
            }
            if (!audited.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 30 s for audit to see every order");
            }
            if (!deadLettered.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 30 s for the poison order to be dead-lettered");
            }
            out.say("every order billed once, audit saw all %d messages, the poison order was dead-lettered", ORDERS + 1);
            out.say("billing's meters: %.0f handler runs, %.0f retries, %.0f dead letter",
                    meters.get("messaging.process.duration").timers().stream().mapToDouble(t -> t.count()).sum(),
                    meters.get("portal.messaging.retries").counter().count(), meters.get("portal.messaging.dead_letters").counter().count());
        } finally {
            subscriptions.forEach(Subscription::close);
            connections.forEach(Portal::close);
        }
    }

    private static Portal open(Supplier<Portal> connect, List<Portal> connections) {
        Portal portal = connect.get();
        connections.add(portal);
        return portal;
    }
}
