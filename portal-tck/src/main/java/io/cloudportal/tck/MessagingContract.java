package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ClosedException;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Publisher} and {@link Subscriber}. Every scenario counts lost,
 * duplicated and reordered messages and asserts each: duplicates must be zero when nothing
 * fails and on a graceful close.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class MessagingContract extends MessagingSupport {

    /** Redelivery, retry policies and dead letters, run by every messaging driver with no class of its own. */
    @Nested
    class Redelivery extends RedeliveryContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }

        @Override
        protected Duration retryBackoff() {
            return MessagingContract.this.retryBackoff();
        }

        @Override
        protected int bulkMessages() {
            return MessagingContract.this.bulkMessages();
        }
    }

    /** Typed payloads through codecs: a record round trip, and undecodable payloads on the failure path. */
    @Nested
    class Payloads extends PayloadContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }

        @Override
        protected Duration retryBackoff() {
            return MessagingContract.this.retryBackoff();
        }
    }

    /** Bulk publish: a result per message, refused whole on one bad message. */
    @Nested
    class BulkPublish extends BulkPublishContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }
    }

    /** Batch consumption: bounded batches, per-message outcomes, draining on close. */
    @Nested
    class BatchConsumption extends BatchConsumptionContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }

        @Override
        protected Duration retryBackoff() {
            return MessagingContract.this.retryBackoff();
        }
    }

    /** Replay: start positions for new groups, and moving a group back. */
    @Nested
    class Replay extends ReplayContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }
    }

    /** Request-reply over publish and subscribe. */
    @Nested
    class RequestReply extends RequestReplyContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }
    }

    /** Members joining and leaving a group while messages flow. */
    @Nested
    class GroupMembership extends GroupMembershipContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }

        @Override
        protected Duration retryBackoff() {
            return MessagingContract.this.retryBackoff();
        }
    }

    /** Flush and close while the broker does not answer. */
    @Nested
    class FrozenBroker extends FrozenBrokerContract {
        @Override
        protected TckHarness harness() {
            return MessagingContract.this.harness();
        }
    }

    @Test
    void everyPublishedMessageIsConsumedOnce() throws Exception {
        String topic = unique("bulk");
        Ledger ledger = new Ledger();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(
                subscription(topic).withConcurrency(4).withOrderedByKey(declares(Guarantee.ORDER_PER_KEY)),
                delivery -> ledger.handled(delivery.message()))) {
            publishAll(open().publisher(), batch(ledger, topic, bulkMessages(), 16));
            await().atMost(PATIENCE.multipliedBy(3)).until(() -> ledger.distinctHandled() == ledger.published());
        }
        assertNoneLostOrDuplicated(ledger);
        assertOrderKeptIfDeclared(ledger);
    }

    @Test
    void orderPerKeyHoldsWith16KeysUnderConcurrentHandlers() throws Exception {
        String topic = unique("ordered");
        SubscribeOptions options = subscription(topic).withConcurrency(8).withOrderedByKey(true);
        if (!declares(Guarantee.ORDER_PER_KEY)) {
            assertThatThrownBy(() -> open().subscriber().subscribe(options, d -> { }))
                    .isInstanceOf(UnsupportedFacilityException.class);
            notApplicable("ORDER_PER_KEY not declared; an ordered subscription is rejected");
            return;
        }
        Ledger ledger = new Ledger();
        try (Subscription ignored = open().subscriber().subscribe(options, delivery -> ledger.handled(delivery.message()))) {
            publishAll(open().publisher(), batch(ledger, topic, 16 * 200, 16));
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        }
        assertNoneLostOrDuplicated(ledger);
        assertThat(ledger.reordered()).as("messages handled before an earlier one of their key").isZero();
    }

    @Test
    void anOrderedBroadcastSubscriberKeepsPerKeyOrderUnderConcurrentHandlers() throws Exception {
        if (!declares(Guarantee.BROADCAST) || !declares(Guarantee.ORDER_PER_KEY)) {
            notApplicable("BROADCAST and ORDER_PER_KEY not both declared");
            return;
        }
        String topic = unique("ordered-broadcast");
        Ledger ledger = new Ledger();
        SubscribeOptions options = SubscribeOptions.broadcast(topic).withConcurrency(8).withOrderedByKey(true);
        try (Subscription ignored = open().subscriber().subscribe(options, delivery -> ledger.handled(delivery.message()))) {
            publishAll(open().publisher(), batch(ledger, topic, 16 * 100, 16));
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        }
        assertNoneLostOrDuplicated(ledger);
        assertThat(ledger.reordered()).as("messages handled before an earlier one of their key").isZero();
    }

    @Test
    void competingConsumersShareTheWorkWithoutDuplicates() throws Exception {
        String topic = unique("shared");
        String group = unique("g");
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            assertThatThrownBy(() -> open().subscriber().subscribe(group(topic, group), d -> { }))
                    .isInstanceOf(UnsupportedFacilityException.class);
            notApplicable("CONSUMER_GROUPS not declared; a group subscription is rejected");
            return;
        }
        Ledger ledger = new Ledger();
        List<AtomicInteger> perMember = new ArrayList<>();
        List<Subscription> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            AtomicInteger count = new AtomicInteger();
            perMember.add(count);
            members.add(open().subscriber().subscribe(group(topic, group), delivery -> {
                ledger.handled(delivery.message());
                count.incrementAndGet();
            }));
        }
        publishAll(open().publisher(), batch(ledger, topic, 3000, 30));
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        members.forEach(Subscription::close);
        figure("perMember", perMember.stream().map(AtomicInteger::get).toList().toString().replace(" ", ""));
        assertNoneLostOrDuplicated(ledger);
        assertOrderKeptIfDeclared(ledger);
        assertThat(perMember).as("messages per member").allMatch(count -> count.get() > 0);
    }

    @Test
    void fiftySubscribersInOneGroupLoseAndRepeatNothing() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            notApplicable("CONSUMER_GROUPS not declared");
            return;
        }
        String topic = unique("fifty");
        String group = unique("g");
        Ledger ledger = new Ledger();
        List<Portal> connections = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            connections.add(open());
        }
        List<Subscription> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(connections.get(i % 5).subscriber().subscribe(group(topic, group), d -> ledger.handled(d.message())));
        }
        publishAll(open().publisher(), batch(ledger, topic, 2000, 50));
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        members.forEach(Subscription::close);
        figure("subscribers", members.size());
        assertNoneLostOrDuplicated(ledger);
        assertOrderKeptIfDeclared(ledger);
    }

    @Test
    void broadcastSubscribersEachGetEveryMessage() throws Exception {
        String topic = unique("broadcast");
        if (!declares(Guarantee.BROADCAST)) {
            assertThatThrownBy(() -> open().subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> { }))
                    .isInstanceOf(UnsupportedFacilityException.class);
            notApplicable("BROADCAST not declared; a broadcast subscription is rejected");
            return;
        }
        List<Ledger> ledgers = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Ledger ledger = new Ledger();
            ledgers.add(ledger);
            subscriptions.add(open().subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> ledger.handled(d.message())));
        }
        Ledger published = new Ledger();
        List<Message> messages = batch(published, topic, 1000, 8);
        for (Ledger ledger : ledgers) {
            batch(ledger, topic, 1000, 8);
        }
        publishAll(open().publisher(), messages);
        await().atMost(PATIENCE).until(() -> ledgers.stream().allMatch(l -> l.distinctHandled() == l.published()));
        subscriptions.forEach(Subscription::close);
        long lost = ledgers.stream().mapToLong(Ledger::lost).sum();
        long duplicated = ledgers.stream().mapToLong(Ledger::duplicated).sum();
        long reordered = ledgers.stream().mapToLong(Ledger::reordered).sum();
        figure("subscribers", ledgers.size());
        figure("lost", lost);
        figure("duplicated", duplicated);
        figure("reordered", reordered);
        assertThat(lost).as("messages a broadcast subscriber missed").isZero();
        assertThat(duplicated).as("messages a broadcast subscriber got twice").isZero();
        if (declares(Guarantee.ORDER_PER_KEY)) {
            assertThat(reordered).isZero();
        }
    }

    @Test
    void oneGroupNameOnTwoTopicsGivesEachSubscriberEveryMessageOfItsTopic() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            notApplicable("CONSUMER_GROUPS not declared");
            return;
        }
        String group = unique("shared-name");
        List<String> topics = List.of(unique("first"), unique("second"));
        Ledger ledger = new Ledger();
        List<Subscription> subscriptions = new ArrayList<>();
        for (String topic : topics) {
            subscriptions.add(open().subscriber().subscribe(group(topic, group), delivery -> ledger.handled(delivery.message())));
        }
        Publisher publisher = open().publisher();
        for (String topic : topics) {
            publishAll(publisher, batch(ledger, topic, 40, 4));
        }
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        for (Subscription subscription : subscriptions) {
            subscription.close();
        }
        assertNoneLostOrDuplicated(ledger);
    }

    @Test
    void ackOrNackAfterCloseFailsCleanly() throws Exception {
        String topic = unique("late-ack");
        AtomicReference<Delivery> kept = new AtomicReference<>();
        Subscription subscription = open().subscriber().subscribe(subscription(topic), kept::set);
        open().publisher().publish(Message.of(topic, "k", "hello")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> kept.get() != null);
        subscription.close();
        assertThatThrownBy(() -> kept.get().ack()).isInstanceOf(ClosedException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> kept.get().nack()).isInstanceOf(ClosedException.class).hasMessageContaining("closed");
    }

    @Test
    void anExplicitAckInsideTheHandlerSettlesOnce() throws Exception {
        String topic = unique("explicit-ack");
        List<Boolean> results = new CopyOnWriteArrayList<>();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic), delivery -> {
            results.add(delivery.ack());
            results.add(delivery.ack());
            results.add(delivery.nack());
        })) {
            open().publisher().publish(Message.of(topic, "k", "once")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> results.size() == 3);
        }
        assertThat(results).containsExactly(true, false, false);
    }

    @Test
    void headersWithNonAsciiTextAndBinaryPayloadsRoundTripIntact() throws Exception {
        String topic = unique("headers");
        List<Message> received = new CopyOnWriteArrayList<>();
        byte[] payload = new byte[256];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }
        Map<String, String> headers = Map.of("greeting", "héllo wörld ✓ 你好 🚀", "empty", "", "trace-id", "abc-123");
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic), d -> received.add(d.message()))) {
            open().publisher().publish(new Message(topic, "clé-ü", payload, headers)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> !received.isEmpty());
        }
        Message message = received.get(0);
        assertThat(message.payload()).isEqualTo(payload);
        assertThat(message.key()).isEqualTo("clé-ü");
        assertThat(message.headers()).containsAllEntriesOf(headers);
    }

    @Test
    void aMalformedHeaderIsRejectedBeforeAnythingIsSent() throws Exception {
        String topic = unique("bad-header");
        List<Message> received = new CopyOnWriteArrayList<>();
        Publisher publisher = open().publisher();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic), d -> received.add(d.message()))) {
            assertThatThrownBy(() -> publisher.publish(Message.builder(topic).payload("bad").header("line", "one\ntwo").build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("line").hasMessageContaining("control");
            assertThatThrownBy(() -> publisher.publish(Message.builder(topic).payload("bad").header(" ", "x").build()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("header name");
            publisher.publish(Message.of(topic, "k", "good")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> !received.isEmpty());
        }
        assertThat(received).extracting(Message::payloadAsString).containsExactly("good");
    }

    @Test
    void publishingToATopicThatDoesNotExistCreatesItOrFailsClearly() throws Exception {
        String topic = unique("fresh");
        CompletableFuture<PublishResult> result = open().publisher().publish(Message.of(topic, "k", "first"));
        if (declares(Guarantee.TOPIC_AUTO_CREATE)) {
            assertThat(result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).topic()).isEqualTo(topic);
        } else {
            assertThatThrownBy(() -> result.get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PortalException.class).hasMessageContaining(topic);
            notApplicable("TOPIC_AUTO_CREATE not declared; publish failed naming the topic");
        }
    }

    @Test
    void aDelayedMessageIsNotDeliveredBeforeItsDelay() throws Exception {
        String topic = unique("delayed");
        Publisher publisher = open().publisher();
        Duration delay = Duration.ofSeconds(2);
        if (!declares(Guarantee.DELAYED_DELIVERY)) {
            assertThatThrownBy(() -> publisher.publish(Message.of(topic, "k", "later"), delay))
                    .isInstanceOf(UnsupportedFacilityException.class).hasMessageContaining("DELAYED_DELIVERY");
            notApplicable("DELAYED_DELIVERY not declared; a delayed publish is rejected");
            return;
        }
        assertThatThrownBy(() -> publisher.publish(Message.of(topic, "k", "now"), Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("delay");
        Map<String, Long> arrivals = new java.util.concurrent.ConcurrentHashMap<>();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic),
                d -> arrivals.putIfAbsent(d.message().payloadAsString(), System.nanoTime()))) {
            long published = System.nanoTime();
            publisher.publish(Message.of(topic, "k1", "later"), delay).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            publisher.publish(Message.of(topic, "k2", "now")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> arrivals.containsKey("later") && arrivals.containsKey("now"));
            long waited = arrivals.get("later") - published;
            figure("delayedMillis", TimeUnit.NANOSECONDS.toMillis(waited));
            assertThat(waited).as("nanoseconds between a publish delayed by " + delay + " and its delivery").isGreaterThanOrEqualTo(delay.toNanos());
            assertThat(arrivals.get("now")).as("the undelayed message, published after, arrives first").isLessThan(arrivals.get("later"));
        }
    }

    @Test
    void aGroupThatJoinsAfterAPublishGetsTheMessageOnlyIfPersistent() throws Exception {
        String topic = unique("late");
        Publisher publisher = open().publisher();
        // A witness that was there before proves "before" went all the way through (a publish may complete while the
        // message is still on its way, as with ZeroMQ), so the late subscriber cannot get it merely by being early.
        List<String> witnessed = new CopyOnWriteArrayList<>();
        try (Subscription witness = open().subscriber().subscribe(subscription(topic), d -> witnessed.add(d.message().payloadAsString()))) {
            publisher.publish(Message.of(topic, "k", "before")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> witnessed.contains("before"));
        }
        List<String> received = new CopyOnWriteArrayList<>();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic), d -> received.add(d.message().payloadAsString()))) {
            publisher.publish(Message.of(topic, "k", "after")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> received.contains("after"));
        }
        if (declares(Guarantee.PERSISTENCE)) {
            assertThat(received).containsExactly("before", "after");
        } else {
            assertThat(received).as("no persistence: a message published before the subscriber joined").containsExactly("after");
            notApplicable("PERSISTENCE not declared; proven absent");
        }
    }

    @Test
    void closeDrainsRunningHandlersAndTheirMessagesAreNotRedelivered() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            notApplicable("CONSUMER_GROUPS not declared");
            return;
        }
        String topic = unique("drain");
        String group = unique("g");
        Ledger ledger = new Ledger();
        CountDownLatch handlerStarted = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        MessageHandler slow = delivery -> {
            handlerStarted.countDown();
            mayFinish.await();
            ledger.handled(delivery.message());
        };
        Subscription first = open().subscriber().subscribe(group(topic, group), slow);
        publishAll(open().publisher(), batch(ledger, topic, 50, 5));
        assertThat(handlerStarted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        AtomicReference<Boolean> drained = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                drained.set(first.close(PATIENCE));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tck-closer");
        closer.start();
        mayFinish.countDown();
        closer.join(PATIENCE.toMillis());
        assertThat(drained.get()).as("close drained the running handler").isTrue();
        int handledByFirst = ledger.distinctHandled();
        assertThat(handledByFirst).isPositive();
        try (Subscription ignored = open().subscriber().subscribe(group(topic, group), d -> ledger.handled(d.message()))) {
            await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        }
        figure("handledBeforeClose", handledByFirst);
        assertNoneLostOrDuplicated(ledger);
    }

    @Test
    void flushWaitsForEveryPublishAndResultsNameTheTopic() throws Exception {
        String topic = unique("flush");
        Publisher publisher = open().publisher();
        List<CompletableFuture<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(publisher.publish(Message.of(topic, "k" + (i % 4), "m" + i)));
        }
        publisher.flush(PATIENCE);
        assertThat(results).allMatch(CompletableFuture::isDone);
        assertThat(results.get(0).get().topic()).isEqualTo(topic);
        assertThat(results.stream().map(r -> r.join().messageId()).distinct().count()).as("distinct message ids").isEqualTo(200);
    }

    @Test
    void noAcknowledgedMessageIsLostAcrossAServerRestart() throws Exception {
        if (canInject(Fault.SERVER_RESTART)) {
            acknowledgedMessagesSurvive(Fault.SERVER_RESTART);
        }
    }

    @Test
    void noAcknowledgedMessageIsLostWhenTheConsumersConnectionIsCut() throws Exception {
        if (canInject(Fault.CONNECTION_CUT)) {
            acknowledgedMessagesSurvive(Fault.CONNECTION_CUT);
        }
    }

    @Test
    void noAcknowledgedMessageIsLostWhenTheConsumersSessionExpires() throws Exception {
        if (canInject(Fault.SESSION_EXPIRY)) {
            acknowledgedMessagesSurvive(Fault.SESSION_EXPIRY);
        }
    }

    /**
     * A publisher keeps publishing (re-sending what failed, as an application would) while the
     * fault hits the consumer's connection; every acknowledged message must be handled.
     * Duplicates are counted but allowed here: re-sending after an unanswered publish may repeat.
     */
    private void acknowledgedMessagesSurvive(Fault fault) throws Exception {
        String topic = unique("fault");
        Ledger ledger = new Ledger();
        Portal consumer = open();
        SubscribeOptions options = subscription(topic);
        AtomicInteger resent = new AtomicInteger();
        try (Subscription ignored = consumer.subscriber().subscribe(options, d -> ledger.handled(d.message()))) {
            Publisher publisher = open().publisher();
            List<Message> messages = batch(ledger, topic, 2000, 8);
            AtomicInteger acknowledged = new AtomicInteger();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread publishing = new Thread(() -> {
                try {
                    for (Message message : messages) {
                        long deadline = System.nanoTime() + PATIENCE.toNanos();
                        while (true) {
                            try {
                                publisher.publish(message).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                                acknowledged.incrementAndGet();
                                break;
                            } catch (java.util.concurrent.ExecutionException | PortalException e) {
                                if (System.nanoTime() > deadline) {
                                    throw e;
                                }
                                resent.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "tck-fault-publisher");
            publishing.start();
            await().atMost(PATIENCE).until(() -> acknowledged.get() >= 500 || failure.get() != null);
            harness().inject(fault, consumer);
            publishing.join(PATIENCE.multipliedBy(3).toMillis());
            assertThat(failure.get()).as("publishing after " + fault).isNull();
            await().atMost(PATIENCE.multipliedBy(2)).until(() -> ledger.distinctHandled() == ledger.published());
        }
        figure("resent", resent.get());
        report(ledger);
        assertThat(ledger.lost()).as("acknowledged messages never handled after " + fault).isZero();
    }

}
