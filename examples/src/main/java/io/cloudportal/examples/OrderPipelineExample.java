package io.cloudportal.examples;

import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.jackson.JsonCodec;
import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.Codec;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * An order pipeline: the shop asks the pricing service for a price (request-reply), publishes a
 * day's orders in one bulk publish as JSON (typed payloads), the warehouse loads them in batches
 * and dead-letters the one order it cannot load, and, where the backend keeps history, a new
 * audit group replays the last minute.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.OrderPipelineExample</pre>
 */
public final class OrderPipelineExample {

    private static final int ORDERS = 40;

    /** An order as the shop publishes it. */
    public record Order(String id, String customer, String sku, long cents) {
    }

    private OrderPipelineExample() {
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
        String run = Long.toString(System.currentTimeMillis(), 36);
        String orders = "orders-" + run;
        String prices = "prices-" + run;
        Codec json = JsonCodec.create();
        List<Portal> connections = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        try {
            Portal pricing = open(connect, connections);
            subscriptions.add(pricing.subscriber().subscribe(SubscribeOptions.group(prices, "pricing"), delivery -> {
                String sku = delivery.message().payloadAsString();
                delivery.reply(Long.toString(100 + Math.floorMod(sku.hashCode(), 900)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }));

            Portal shop = open(connect, connections);
            Instant opened = Instant.now();
            Message price = shop.publisher().request(Message.of(prices, "sku-7", "sku-7"), Duration.ofSeconds(10)).get(30, TimeUnit.SECONDS);
            long cents = Long.parseLong(price.payloadAsString());
            out.say("pricing answered the shop's request: sku-7 costs %d cents", cents);

            List<Message> day = new ArrayList<>();
            for (int n = 1; n <= ORDERS; n++) {
                // One order has a negative amount: the warehouse cannot load it, and no retry would change that.
                Order order = new Order("order-" + n, "customer-" + (n % 7), "sku-7", n == 13 ? -cents : cents * (1 + n % 3));
                day.add(Message.builder(orders).key(order.customer()).payload(order, json).build());
            }
            List<CompletableFuture<PublishResult>> results = shop.publisher().publishAll(day);
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            out.say("the shop published %d orders as JSON in one bulk publish (%d results)", ORDERS, results.size());

            Portal warehouse = open(connect, connections);
            SubscribeOptions loading = SubscribeOptions.group(orders, "warehouse").withMaxAttempts(2);
            AtomicInteger loaded = new AtomicInteger();
            CountDownLatch allLoaded = new CountDownLatch(ORDERS - 1);
            subscriptions.add(warehouse.subscriber().subscribeBatch(loading, BatchOptions.of(16, Duration.ofMillis(200)), batch -> {
                int rows = 0;
                for (Delivery delivery : batch) {
                    Order order = delivery.message().payloadAs(Order.class, json);
                    if (order.cents() < 0) {
                        delivery.deadLetter("order " + order.id() + " has a negative amount");
                        continue;
                    }
                    rows++;
                }
                out.say("warehouse loaded a batch of %d orders (%d rows)", batch.size(), rows);
                loaded.addAndGet(rows);
                for (int row = 0; row < rows; row++) {
                    allLoaded.countDown();
                }
            }));
            CountDownLatch deadLettered = new CountDownLatch(1);
            String deadLetterTopic = warehouse.subscriber().deadLetterTopic(loading);
            subscriptions.add(warehouse.subscriber().subscribe(SubscribeOptions.group(deadLetterTopic, "ops"), delivery -> {
                out.say("dead letter in %s: %s", deadLetterTopic, delivery.message().headers().get(DeadLetters.REASON_HEADER));
                deadLettered.countDown();
            }));
            if (!allLoaded.await(60, TimeUnit.SECONDS) || !deadLettered.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 60 s for the warehouse to load every order and dead-letter the bad one");
            }
            out.say("the warehouse loaded %d orders; the one it could not load went to the dead-letter topic alone", loaded.get());

            if (!shop.capabilities().gives(Guarantee.REPLAY)) {
                out.say("this backend keeps no history (no REPLAY), so the audit replay is left out");
                return;
            }
            Portal audit = open(connect, connections);
            CountDownLatch replayed = new CountDownLatch(ORDERS);
            subscriptions.add(audit.subscriber().subscribe(SubscribeOptions.group(orders, "audit-" + run)
                    .withStartPosition(StartPosition.at(opened.minus(Duration.ofMinutes(1)))), Order.class, json, (order, delivery) -> replayed.countDown()));
            if (!replayed.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 60 s for the audit group to replay the last minute");
            }
            out.say("a new audit group replayed the last minute: all %d orders", ORDERS);
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
