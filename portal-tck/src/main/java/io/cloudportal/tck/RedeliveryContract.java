package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.RetryPolicy;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What happens to a message whose handler fails: redelivery, the {@link RetryPolicy}, dead
 * letters and {@link io.cloudportal.messaging.Delivery#deadLetter(String)}, written once in the
 * portable layer so that every driver that redelivers behaves alike, and proven absent (tried
 * once) on a driver that does not. Each scenario publishes other messages around the failing one
 * and asserts that none of them is lost.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class RedeliveryContract extends MessagingSupport {

    private static final RetryPolicy GROWING = RetryPolicy.exponential(Duration.ofMillis(150), Duration.ofMillis(600)).withJitter(0.5);

    /** Options without a backoff of their own: the scenario's policy sets it. */
    private SubscribeOptions plain(String topic) {
        return declares(Guarantee.CONSUMER_GROUPS) ? SubscribeOptions.group(topic, unique("g")) : SubscribeOptions.broadcast(topic);
    }

    private static void publish(Publisher publisher, Message message) throws Exception {
        publisher.publish(message).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Publishes ten messages, the failing one, and ten more, recording the others in the ledger. */
    private static void publishAround(Publisher publisher, String topic, Message failing, Ledger ledger) throws Exception {
        for (int i = 0; i < 10; i++) {
            publish(publisher, ledger.next(topic, "key-" + (i % 3)));
        }
        publish(publisher, failing);
        for (int i = 0; i < 10; i++) {
            publish(publisher, ledger.next(topic, "key-" + (i % 3)));
        }
    }

    private List<Message> readDeadLetters(Portal consumer, SubscribeOptions options, int expected) {
        List<Message> deadLetters = new CopyOnWriteArrayList<>();
        String topic = consumer.subscriber().deadLetterTopic(options);
        try (Subscription ignored = open().subscriber().subscribe(SubscribeOptions.group(topic, unique("dlt")),
                delivery -> deadLetters.add(delivery.message()))) {
            await().atMost(PATIENCE).until(() -> deadLetters.size() >= expected);
        }
        return deadLetters;
    }

    @Test
    void noAttemptComesBeforeItsBackoffAndTheOthersFlowMeanwhile() throws Exception {
        if (!declares(Guarantee.REDELIVERY)) {
            notApplicable("REDELIVERY not declared: nothing is retried");
            return;
        }
        String topic = unique("backoff");
        List<Long> attemptsAt = new CopyOnWriteArrayList<>();
        Ledger ledger = new Ledger();
        SubscribeOptions options = plain(topic).withMaxAttempts(4).withRetryPolicy(GROWING).withConcurrency(2);
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(options, delivery -> {
            if (delivery.message().payloadAsString().equals("flaky")) {
                attemptsAt.add(System.nanoTime());
                if (attemptsAt.size() < 4) {
                    throw new IllegalStateException("not yet, attempt " + delivery.attempt());
                }
                return;
            }
            ledger.handled(delivery.message());
        })) {
            publishAround(open().publisher(), topic, Message.of(topic, "key-flaky", "flaky"), ledger);
            await().atMost(PATIENCE).until(() -> attemptsAt.size() == 4 && ledger.distinctHandled() == ledger.published());
        }
        List<Long> gapsMillis = new ArrayList<>();
        for (int i = 1; i < attemptsAt.size(); i++) {
            gapsMillis.add(TimeUnit.NANOSECONDS.toMillis(attemptsAt.get(i) - attemptsAt.get(i - 1)));
        }
        figure("gapsMillis", gapsMillis);
        figure("lost", ledger.lost());
        for (int i = 0; i < gapsMillis.size(); i++) {
            assertThat(gapsMillis.get(i)).as("pause before attempt " + (i + 2)).isGreaterThanOrEqualTo(GROWING.backoffAfter(i + 1).toMillis());
        }
        assertThat(ledger.lost()).as("lost messages").isZero();
    }

    @Test
    void aFailureThatIsNotRetriedIsTriedOnceAndDeadLetteredWithItsReason() throws Exception {
        String topic = unique("not-retried");
        SubscribeOptions options = plain(topic).withMaxAttempts(5)
                .withRetryPolicy(RetryPolicy.fixed(Duration.ofMillis(20)).withoutRetrying(IllegalArgumentException.class));
        List<Integer> poisonAttempts = new CopyOnWriteArrayList<>();
        Ledger ledger = new Ledger();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(options, delivery -> {
            if (delivery.message().payloadAsString().equals("poison")) {
                poisonAttempts.add(delivery.attempt());
                throw new IllegalArgumentException("unreadable order 42");
            }
            ledger.handled(delivery.message());
        })) {
            publishAround(open().publisher(), topic, Message.of(topic, "key-poison", "poison"), ledger);
            await().atMost(PATIENCE).until(() -> !poisonAttempts.isEmpty() && ledger.distinctHandled() == ledger.published());
            figure("poisonAttempts", poisonAttempts.size());
            figure("lost", ledger.lost());
            assertThat(ledger.lost()).as("lost messages").isZero();
            if (!declares(Guarantee.DEAD_LETTER)) {
                assertThat(poisonAttempts).containsExactly(1);
                notApplicable("DEAD_LETTER not declared; tried once, as without a policy");
                return;
            }
            List<Message> deadLetters = readDeadLetters(consumer, options, 1);
            assertThat(poisonAttempts).as("attempts of a failure that is not retried").containsExactly(1);
            assertThat(deadLetters).extracting(Message::payloadAsString).containsExactly("poison");
            assertThat(deadLetters.get(0).headers())
                    .containsEntry(DeadLetters.REASON_HEADER, "java.lang.IllegalArgumentException: unreadable order 42")
                    .containsEntry(DeadLetters.ATTEMPTS_HEADER, "1")
                    .containsEntry(DeadLetters.ORIGINAL_TOPIC_HEADER, topic);
        }
    }

    @Test
    void aHandlerCanDeadLetterAMessageAtOnceWithItsOwnReason() throws Exception {
        String topic = unique("dead-at-once");
        SubscribeOptions options = plain(topic).withMaxAttempts(5);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        List<Boolean> results = new CopyOnWriteArrayList<>();
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(options, delivery -> {
            attempts.add(delivery.attempt());
            try {
                results.add(delivery.deadLetter("order 42 refers to a deleted customer\nsee ticket 7"));
                results.add(delivery.ack());
            } catch (UnsupportedFacilityException e) {
                refused.add(e);
            }
        })) {
            publish(open().publisher(), Message.of(topic, "k", "doomed"));
            await().atMost(PATIENCE).until(() -> !attempts.isEmpty() && (results.size() == 2 || !refused.isEmpty()));
            if (!declares(Guarantee.DEAD_LETTER)) {
                assertThat(refused).hasSize(1);
                assertThatThrownBy(() -> { throw refused.get(0); }).hasMessageContaining("DEAD_LETTER");
                notApplicable("DEAD_LETTER not declared; deadLetter() is refused, naming it");
                return;
            }
            List<Message> deadLetters = readDeadLetters(consumer, options, 1);
            assertThat(results).as("deadLetter() settles; an ack after it does not").containsExactly(true, false);
            assertThat(attempts).containsExactly(1);
            assertThat(deadLetters).extracting(Message::payloadAsString).containsExactly("doomed");
            assertThat(deadLetters.get(0).headers())
                    .containsEntry(DeadLetters.REASON_HEADER, "order 42 refers to a deleted customer see ticket 7")
                    .containsEntry(DeadLetters.ATTEMPTS_HEADER, "1");
        }
    }

    @Test
    void aLongReasonIsCutMarkedAndMadePrintable() throws Exception {
        if (!declares(Guarantee.REDELIVERY) || !declares(Guarantee.DEAD_LETTER)) {
            notApplicable("REDELIVERY and DEAD_LETTER not both declared");
            return;
        }
        String topic = unique("long-reason");
        SubscribeOptions options = plain(topic).withMaxAttempts(1);
        String detail = "line\tone\r\n" + "x".repeat(3_000);
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(options, delivery -> {
            throw new IllegalStateException(detail);
        })) {
            publish(open().publisher(), Message.of(topic, "k", "verbose"));
            String reason = readDeadLetters(consumer, options, 1).get(0).headers().get(DeadLetters.REASON_HEADER);
            figure("reasonLength", reason.length());
            assertThat(reason).hasSize(DeadLetters.MAX_REASON_LENGTH).endsWith("…")
                    .startsWith("java.lang.IllegalStateException: line one  x").doesNotContainPattern("\\p{Cntrl}");
        }
    }

    @Test
    void retriesWithBackoffKeepPerKeyOrder() throws Exception {
        if (!declares(Guarantee.REDELIVERY) || !declares(Guarantee.ORDER_PER_KEY)) {
            notApplicable("REDELIVERY and ORDER_PER_KEY not both declared");
            return;
        }
        String topic = unique("ordered-retries");
        SubscribeOptions options = plain(topic).withOrderedByKey(true).withConcurrency(4).withMaxAttempts(5)
                .withRetryPolicy(RetryPolicy.exponential(Duration.ofMillis(30), Duration.ofMillis(120)));
        Ledger ledger = new Ledger();
        List<Message> published = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            published.add(ledger.next(topic, "key-" + (i % 8)));
        }
        AtomicInteger failures = new AtomicInteger();
        try (Subscription ignored = open().subscriber().subscribe(options, delivery -> {
            String payload = delivery.message().payloadAsString();
            // The first message of every key fails twice before it is handled: what follows it must wait.
            if (payload.endsWith("|0") && delivery.attempt() <= 2) {
                failures.incrementAndGet();
                throw new IllegalStateException("first of its key, attempt " + delivery.attempt());
            }
            ledger.handled(delivery.message());
        })) {
            Publisher publisher = open().publisher();
            for (Message message : published) {
                publish(publisher, message);
            }
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        }
        figure("failures", failures.get());
        figure("reordered", ledger.reordered());
        assertThat(failures.get()).isEqualTo(16);
        assertThat(ledger.reordered()).as("messages handled before an earlier one of their key").isZero();
        assertThat(ledger.lost()).isZero();
        assertThat(ledger.duplicated()).isZero();
    }

    @Test
    void aThrowingHandlerCausesRedeliveryThenDeadLettering() throws Exception {
        String topic = unique("poison");
        String group = unique("g");
        SubscribeOptions options = group(topic, group).withMaxAttempts(3);
        if (!declares(Guarantee.REDELIVERY)) {
            aThrowingHandlerIsNotRetriedWithoutRedelivery(topic);
            return;
        }
        Ledger ledger = new Ledger();
        List<Integer> poisonAttempts = new CopyOnWriteArrayList<>();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(options, delivery -> {
            if (delivery.message().payloadAsString().equals("poison")) {
                poisonAttempts.add(delivery.attempt());
                throw new IllegalStateException("cannot handle poison");
            }
            ledger.handled(delivery.message());
        })) {
            Publisher publisher = open().publisher();
            publishAll(publisher, batch(ledger, topic, 20, 4));
            publisher.publish(Message.of(topic, "key-poison", "poison")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            publishAll(publisher, batch(ledger, topic, 20, 4));
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published() && poisonAttempts.size() >= 3);
            figure("poisonAttempts", poisonAttempts.size());
            if (!declares(Guarantee.DEAD_LETTER)) {
                notApplicable("DEAD_LETTER not declared; redelivery checked");
                assertNoneLostOrDuplicated(ledger);
                return;
            }
            String deadLetterTopic = consumer.subscriber().deadLetterTopic(options);
            List<Delivery> deadLetters = new CopyOnWriteArrayList<>();
            try (Subscription dlt = open().subscriber().subscribe(SubscribeOptions.group(deadLetterTopic, unique("dlt")),
                    deadLetters::add)) {
                await().atMost(PATIENCE).until(() -> !deadLetters.isEmpty());
            }
            assertThat(poisonAttempts).as("attempts before dead-lettering").containsExactly(1, 2, 3);
            assertThat(deadLetters).hasSize(1);
            Message dead = deadLetters.get(0).message();
            assertThat(dead.payloadAsString()).isEqualTo("poison");
            assertThat(dead.key()).isEqualTo("key-poison");
            assertThat(dead.headers()).containsKey(DeadLetters.REASON_HEADER).containsEntry(DeadLetters.ATTEMPTS_HEADER, "3")
                    .containsEntry(DeadLetters.ORIGINAL_TOPIC_HEADER, topic);
            assertThat(dead.headers().get(DeadLetters.REASON_HEADER)).contains("cannot handle poison");
        }
        assertNoneLostOrDuplicated(ledger);
    }

    @Test
    void theLongestAcceptedTopicHasADeadLetterTopicThatCanBeConsumed() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS) || !declares(Guarantee.DEAD_LETTER)) {
            notApplicable("CONSUMER_GROUPS and DEAD_LETTER not both declared");
            return;
        }
        String topic = longest(unique("t"), limits().maxTopicLength());
        String group = longest(unique("g"), limits().maxGroupLength());
        SubscribeOptions options = group(topic, group).withMaxAttempts(1);
        Portal consumer = open();
        String deadLetterTopic = consumer.subscriber().deadLetterTopic(options);
        List<Message> deadLetters = new CopyOnWriteArrayList<>();
        SubscribeOptions defaults = SubscribeOptions.group(deadLetterTopic, longest(unique("d"), limits().maxGroupLength()));
        SubscribeOptions reader = defaults;
        Portal reading = open();
        try {
            Rules.topic("dead-letter topic", reading.subscriber().deadLetterTopic(defaults), limits());
        } catch (InvalidArgumentException tooLong) {
            // The dead-letter topic's own default dead-letter topic may not fit: then it must be named, and saying so is the rule.
            assertThatThrownBy(() -> reading.subscriber().subscribe(defaults, delivery -> { }))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("withDeadLetterTopic()");
            reader = defaults.withDeadLetterTopic(unique("dead-letters-of-dead-letters"));
        }
        try (Subscription poisoned = consumer.subscriber().subscribe(options, delivery -> {
                 throw new IllegalStateException("poison");
             });
             Subscription readingDeadLetters = reading.subscriber().subscribe(reader, delivery -> deadLetters.add(delivery.message()))) {
            open().publisher().publish(Message.of(topic, "k", "poison")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> !deadLetters.isEmpty());
        }
        figure("topicLength", topic.length());
        figure("deadLetterTopicLength", deadLetterTopic.length());
        assertThat(deadLetters).extracting(Message::payloadAsString).containsExactly("poison");
        assertThat(deadLetters.get(0).headers()).containsEntry(DeadLetters.ORIGINAL_TOPIC_HEADER, topic);
    }

    /**
     * Without REDELIVERY a message whose handler threw is gone: proven by publishing more after it
     * and seeing every one of those handled while the poison was tried exactly once.
     */
    private void aThrowingHandlerIsNotRetriedWithoutRedelivery(String topic) throws Exception {
        Ledger ledger = new Ledger();
        List<Integer> poisonAttempts = new CopyOnWriteArrayList<>();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic), delivery -> {
            if (delivery.message().payloadAsString().equals("poison")) {
                poisonAttempts.add(delivery.attempt());
                throw new IllegalStateException("cannot handle poison");
            }
            ledger.handled(delivery.message());
        })) {
            Publisher publisher = open().publisher();
            publisher.publish(Message.of(topic, "key-poison", "poison")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            publishAll(publisher, batch(ledger, topic, 200, 4));
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        }
        figure("poisonAttempts", poisonAttempts.size());
        assertThat(poisonAttempts).as("attempts of a message whose handler threw, without REDELIVERY").containsExactly(1);
        assertNoneLostOrDuplicated(ledger);
        notApplicable("REDELIVERY not declared; proven absent: the failed message was tried once");
    }

    @Test
    void aMessageWhoseHandlerFailsTwiceIsHandledOnTheThirdAttemptAndOthersStillArrive() throws Exception {
        if (!declares(Guarantee.REDELIVERY)) {
            notApplicable("REDELIVERY not declared");
            return;
        }
        String topic = unique("flaky");
        Ledger ledger = new Ledger();
        List<Integer> flakyAttempts = new CopyOnWriteArrayList<>();
        AtomicInteger flakyHandled = new AtomicInteger();
        try (Subscription ignored = open().subscriber().subscribe(group(topic, unique("g")).withMaxAttempts(5), delivery -> {
            if (delivery.message().payloadAsString().equals("flaky")) {
                flakyAttempts.add(delivery.attempt());
                if (flakyAttempts.size() <= 2) {
                    throw new IllegalStateException("not yet");
                }
                flakyHandled.incrementAndGet();
                return;
            }
            ledger.handled(delivery.message());
        })) {
            Publisher publisher = open().publisher();
            publishAll(publisher, batch(ledger, topic, 25, 5));
            publisher.publish(Message.of(topic, "key-flaky", "flaky")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            publishAll(publisher, batch(ledger, topic, 25, 5));
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published() && flakyHandled.get() == 1);
        }
        figure("flakyAttempts", flakyAttempts.size());
        assertThat(flakyAttempts).containsExactly(1, 2, 3);
        assertThat(flakyHandled.get()).isEqualTo(1);
        assertNoneLostOrDuplicated(ledger);
    }

    @Test
    void aHandlerThatAcknowledgesAndThenThrowsIsNotRedelivered() throws Exception {
        if (!declares(Guarantee.REDELIVERY) || !declares(Guarantee.ORDER_PER_KEY)) {
            // Ordered by key, a redelivery would come before the next message of its key: that is what proves its absence.
            notApplicable("REDELIVERY and ORDER_PER_KEY not both declared");
            return;
        }
        String topic = unique("ack-then-throw");
        List<String> handled = new CopyOnWriteArrayList<>();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic).withOrderedByKey(true), delivery -> {
            String payload = delivery.message().payloadAsString();
            handled.add(payload + "#" + delivery.attempt());
            if (payload.equals("acked")) {
                delivery.ack();
                throw new IllegalStateException("thrown after the handler acknowledged");
            }
        })) {
            Publisher publisher = open().publisher();
            publisher.publish(Message.of(topic, "k", "acked")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            publisher.publish(Message.of(topic, "k", "next")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> handled.contains("next#1"));
        }
        assertThat(handled).as("the handler's ack, the first settlement, wins over its throw").containsExactly("acked#1", "next#1");
    }
}
