package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link io.cloudportal.messaging.Subscriber#subscribeBatch}: batches bounded by their options, each
 * delivery settled on its own (one poison message dead-lettered, the rest of its batch
 * acknowledged), what the handler settled before throwing not delivered again, and a member closed
 * mid-stream losing and repeating nothing.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class BatchConsumptionContract extends MessagingSupport {

    private static final BatchOptions BATCHES = BatchOptions.of(50, Duration.ofMillis(20));

    @Test
    void batchesOfAGroupWithPoisonAndAMemberClosedMidStreamLoseNothingAndDeadLetterOnlyThePoison() throws Exception {
        String topic = unique("batches");
        int count = 10_000;
        boolean groups = declares(Guarantee.CONSUMER_GROUPS);
        SubscribeOptions options = subscription(topic).withMaxAttempts(2).withConcurrency(2)
                .withOrderedByKey(declares(Guarantee.ORDER_PER_KEY));
        Ledger ledger = new Ledger();
        Set<String> poisonSeen = ConcurrentHashMap.newKeySet();
        AtomicInteger largest = new AtomicInteger();
        List<Subscription> members = new ArrayList<>();
        for (int i = 0; i < (groups ? 3 : 1); i++) {
            members.add(open().subscriber().subscribeBatch(options, BATCHES, batch -> {
                largest.accumulateAndGet(batch.size(), Math::max);
                for (Delivery delivery : batch) {
                    String payload = delivery.message().payloadAsString();
                    if (payload.startsWith("poison")) {
                        poisonSeen.add(payload);
                        delivery.nack();
                    } else {
                        ledger.handled(delivery.message());
                    }
                }
            }));
        }
        List<Message> messages = new ArrayList<>(count + count / 1000);
        List<String> poison = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            messages.add(ledger.next(topic, "key-" + (i % 16)));
            if (i % 1000 == 500) {
                poison.add("poison-" + i);
                messages.add(Message.of(topic, "poison-key-" + i, "poison-" + i));
            }
        }
        Publisher publisher = open().publisher();
        publishAll(publisher, messages.subList(0, messages.size() / 3));
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() >= count / 6);
        if (groups) {
            members.get(0).close();
        }
        publishAll(publisher, messages.subList(messages.size() / 3, messages.size()));
        await().atMost(PATIENCE.multipliedBy(2)).until(() -> ledger.distinctHandled() == ledger.published());
        await().atMost(PATIENCE).until(() -> poisonSeen.size() == poison.size());
        members.forEach(Subscription::close);
        figure("largestBatch", largest.get());
        assertNoneLostOrDuplicated(ledger);
        assertOrderKeptIfDeclared(ledger);
        assertThat(largest.get()).as("largest batch").isLessThanOrEqualTo(BATCHES.maxMessages()).isGreaterThan(1);
        if (!declares(Guarantee.DEAD_LETTER)) {
            notApplicable("DEAD_LETTER not declared: the poison messages are dropped after their one delivery; the rest all arrive");
            return;
        }
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        try (Subscription ignored = open().subscriber().subscribe(SubscribeOptions.group(open().subscriber().deadLetterTopic(options), unique("dlt")),
                delivery -> deadLetters.add(delivery.message().payloadAsString()))) {
            await().atMost(PATIENCE).until(() -> deadLetters.size() >= poison.size());
        }
        figure("deadLetters", deadLetters.size());
        assertThat(deadLetters).as("the dead-letter topic holds the poison messages alone").containsExactlyInAnyOrderElementsOf(poison);
    }

    @Test
    void whatTheHandlerSettledBeforeThrowingIsNotDeliveredAgain() throws Exception {
        String topic = unique("batch-throw");
        List<String> firstCall = new CopyOnWriteArrayList<>();
        List<String> acknowledgedFirst = new CopyOnWriteArrayList<>();
        List<String> later = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribeBatch(subscription(topic).withMaxAttempts(3),
                BatchOptions.of(100, Duration.ofMillis(500)), batch -> {
                    if (calls.incrementAndGet() == 1) {
                        batch.forEach(d -> firstCall.add(d.message().payloadAsString()));
                        for (int i = 0; i < (batch.size() + 1) / 2; i++) {
                            batch.get(i).ack();
                            acknowledgedFirst.add(batch.get(i).message().payloadAsString());
                        }
                        throw new IllegalStateException("the warehouse is down");
                    }
                    batch.forEach(d -> later.add(d.message().payloadAsString()));
                })) {
            List<Message> messages = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                messages.add(Message.of(topic, "k" + (i % 4), "m" + i));
            }
            open().publisher().publishAll(messages).forEach(java.util.concurrent.CompletableFuture::join);
            // Redelivering, every message is handled once: acknowledged in the first call or in a later one; otherwise what the
            // first call left when it threw is gone.
            boolean redelivers = declares(Guarantee.REDELIVERY);
            await().atMost(PATIENCE).until(() -> !firstCall.isEmpty()
                    && (redelivers ? acknowledgedFirst.size() : firstCall.size()) + later.size() >= messages.size());
            if (redelivers) {
                assertThat(later).containsAll(firstCall.subList(acknowledgedFirst.size(), firstCall.size()));
            }
        }
        figure("firstBatch", firstCall.size());
        figure("acknowledgedBeforeThrowing", acknowledgedFirst.size());
        assertThat(later).as("messages acknowledged before the handler threw").doesNotContainAnyElementsOf(acknowledgedFirst);
        if (!declares(Guarantee.REDELIVERY)) {
            assertThat(later).as("a driver that does not redeliver drops the rest").doesNotContainAnyElementsOf(firstCall);
            notApplicable("REDELIVERY not declared: what the handler left when it threw is dropped, and what it acknowledged stays so");
        }
    }
}
