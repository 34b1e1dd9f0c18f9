package io.cloudportal.zeromq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * What the ZeroMQ driver promises beyond the TCK: nothing lost after the ready signal while the
 * high-water marks hold, with one publisher shared by four threads; drops at a slow subscriber
 * counted instead of blocking the publisher; topics matched exactly, not by prefix.
 */
class ZeroMqDeliveryIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** Counts what one subscriber got, per key in order, and whether any key went backwards. */
    private static final class Receiver {
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final Map<String, Integer> lastPerKey = new ConcurrentHashMap<>();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger reordered = new AtomicInteger();

        void handle(Message message) {
            String payload = message.payloadAsString();
            if (!seen.add(payload)) {
                duplicates.incrementAndGet();
            }
            int index = Integer.parseInt(payload.substring(payload.lastIndexOf('-') + 1));
            Integer last = lastPerKey.put(message.key(), index);
            if (last != null && last >= index) {
                reordered.incrementAndGet();
            }
        }
    }

    @Test
    void aHundredThousandMessagesFromFourThreadsReachEverySubscriberWithNoneLost() throws Exception {
        String topic = "flood-" + System.nanoTime();
        int threads = 4;
        int perThread = 25_000;
        // A quarter of the high-water mark: a ZeroMQ pipe learns what its reader took only every few hundred messages,
        // and later still when the hub's threads wait for a core, so a window near the mark itself dropped messages on a
        // busy 2-core machine (297, 1 and 1 at the three subscribers, once).
        int window = ZeroMqSettings.DEFAULT_HIGH_WATER_MARK / 4;
        List<Receiver> receivers = new ArrayList<>();
        List<Portal> subscribers = new ArrayList<>();
        try (Portal publishing = ZeroMqHarness.INSTANCE.connect()) {
            for (int i = 0; i < 3; i++) {
                Receiver receiver = new Receiver();
                receivers.add(receiver);
                Portal subscriber = ZeroMqHarness.INSTANCE.connect();
                subscribers.add(subscriber);
                subscriber.subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> receiver.handle(d.message()));
            }
            Publisher publisher = publishing.publisher();
            AtomicLong published = new AtomicLong();
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String key = "thread-" + t;
                Thread worker = new Thread(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            // Flow control, not a pause: stay a window below the high-water mark ahead of the slowest subscriber.
                            while (published.get() - receivers.stream().mapToLong(r -> r.seen.size()).min().orElseThrow() > window) {
                                LockSupport.parkNanos(1_000_000);
                            }
                            publisher.publish(Message.of(topic, key, key + "-" + i)).join();
                            published.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }, "flood-" + t);
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join(PATIENCE.toMillis());
            }
            assertThat(failures).isEmpty();
            int total = threads * perThread;
            await().atMost(PATIENCE).until(() -> receivers.stream().allMatch(r -> r.seen.size() == total));
            for (Receiver receiver : receivers) {
                assertThat(receiver.duplicates.get()).as("duplicates").isZero();
                assertThat(receiver.reordered.get()).as("messages of one key out of order").isZero();
            }
            for (Portal subscriber : subscribers) {
                assertThat(subscriber.unwrap(ZeroMqMetrics.class).orElseThrow().dropped(topic)).as("drops counted").isZero();
            }
        } finally {
            subscribers.forEach(Portal::close);
        }
    }

    @Test
    void aSlowSubscriberCountsItsDropsAndNeitherBlocksThePublisherNorTheOthers() throws Exception {
        // Published as fast as the publisher can: the fast subscriber may drop too (the hub outruns it on a small
        // machine), but every drop on either side is counted, and the publisher never waits.
        String topic = "slow-" + System.nanoTime();
        // Enough to overflow what the stalled side can hold: the hub's queue, its own, and the kernel's socket buffers.
        int messages = 200_000;
        Receiver fast = new Receiver();
        Receiver slow = new Receiver();
        CountDownLatch stall = new CountDownLatch(1);
        String url = ZeroMqHarness.INSTANCE.url() + "&receiveHighWaterMark=100";
        try (Portal fastSide = ZeroMqHarness.INSTANCE.connect(); Portal slowSide = Portal.connect(url);
             Portal publishing = ZeroMqHarness.INSTANCE.connect()) {
            fastSide.subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> fast.handle(d.message()));
            slowSide.subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> {
                stall.await();
                slow.handle(d.message());
            });
            List<CompletableFuture<PublishResult>> results = new ArrayList<>(messages);
            for (int i = 0; i < messages; i++) {
                results.add(publishing.publisher().publish(Message.of(topic, "k", "m-" + i)));
            }
            assertThat(results).as("publishes that failed or waited").allMatch(r -> r.isDone() && !r.isCompletedExceptionally());
            stall.countDown();
            // A drop shows once a later message from the same publisher arrives: send more until both sides have one.
            AtomicInteger next = new AtomicInteger(messages);
            await().atMost(PATIENCE).until(() -> {
                publishing.publisher().publish(Message.of(topic, "k", "m-" + next.getAndIncrement())).join();
                return slow.lastPerKey.get("k") >= messages && fast.lastPerKey.get("k") >= messages;
            });
            ZeroMqMetrics slowMetrics = slowSide.unwrap(ZeroMqMetrics.class).orElseThrow();
            ZeroMqMetrics fastMetrics = fastSide.unwrap(ZeroMqMetrics.class).orElseThrow();
            assertThat(slowMetrics.dropped(topic)).as("drops counted at the slow subscriber").isPositive();
            assertThat(slow.seen.size() + slowMetrics.dropped(topic)).as("slow: received + counted drops = published")
                    .isEqualTo(slow.lastPerKey.get("k") + 1L);
            assertThat(fast.seen.size() + fastMetrics.dropped(topic)).as("fast: received + counted drops = published")
                    .isEqualTo(fast.lastPerKey.get("k") + 1L);
            assertThat(fastMetrics.dropped(topic)).as("the fast subscriber misses less than the slow one")
                    .isLessThan(slowMetrics.dropped(topic));
            assertThat(fast.duplicates.get() + slow.duplicates.get()).isZero();
            assertThat(fast.reordered.get() + slow.reordered.get()).isZero();
        }
    }

    @Test
    void topicsMatchExactlyNeverByPrefix() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        String topic = "orders" + System.nanoTime();
        try (Portal subscriber = ZeroMqHarness.INSTANCE.connect(); Portal publisher = ZeroMqHarness.INSTANCE.connect()) {
            try (Subscription ignored = subscriber.subscriber().subscribe(SubscribeOptions.broadcast(topic),
                    d -> received.add(d.message().topic() + ":" + d.message().payloadAsString()))) {
                for (String other : List.of(topic + "-eu", topic + ".eu", topic + "_", topic.substring(0, topic.length() - 1))) {
                    publisher.publisher().publish(Message.of(other, "k", "other")).join();
                }
                publisher.publisher().publish(Message.of(topic, "k", "mine")).join();
                await().atMost(PATIENCE).until(() -> received.contains(topic + ":mine"));
            }
        }
        assertThat(received).containsExactly(topic + ":mine");
    }

    @Test
    void aConnectionWithBindRunsTheHubForTheOthers() throws Exception {
        String url = ZeroMqHarness.hubUrl(ZeroMqHarness.freePort(), ZeroMqHarness.freePort());
        List<String> received = new CopyOnWriteArrayList<>();
        try (Portal hubSide = Portal.connect(url + "&bind=true"); Portal other = Portal.connect(url)) {
            assertThat(hubSide.unwrap(ZeroMqHub.class)).isPresent();
            assertThat(other.unwrap(ZeroMqHub.class)).isEmpty();
            hubSide.subscriber().subscribe(SubscribeOptions.broadcast("bound"), d -> received.add(d.message().payloadAsString()));
            other.publisher().publish(Message.of("bound", "k", "through the application's hub")).join();
            await().atMost(PATIENCE).until(() -> received.contains("through the application's hub"));
        }
    }
}
