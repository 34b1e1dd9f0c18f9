package io.cloudportal.zeromq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The hub restarts while a publisher publishes and a subscriber consumes. ZeroMQ keeps nothing,
 * so messages in flight are lost; what Portal promises is that none is lost silently: the
 * subscriber's received plus counted drops equal what was published, the connections report
 * SUSPENDED and RECONNECTED, and messages flow again without anyone reconnecting by hand.
 */
class ZeroMqFaultsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void aHubRestartLosesNothingSilentlyAndTrafficResumesOnItsOwn() throws Exception {
        String url = ZeroMqHarness.hubUrl(ZeroMqHarness.freePort(), ZeroMqHarness.freePort());
        String topic = "restart-" + System.nanoTime();
        ZeroMqHub hub = ZeroMqHub.start(url);
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger lastReceived = new AtomicInteger(-1);
        List<ConnectionState> subscriberStates = new CopyOnWriteArrayList<>();
        String clientUrl = url + "&heartbeatTimeout=1s&maxBlock=500ms";
        try (Portal subscriber = Portal.connect(clientUrl); Portal publisher = Portal.connect(clientUrl)) {
            subscriber.onStateChange(subscriberStates::add);
            subscriber.subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> {
                String payload = d.message().payloadAsString();
                received.add(payload);
                lastReceived.accumulateAndGet(Integer.parseInt(payload.substring(2)), Math::max);
            });
            AtomicBoolean publishing = new AtomicBoolean(true);
            AtomicInteger published = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            Thread load = new Thread(() -> {
                while (publishing.get()) {
                    try {
                        publisher.publisher().publish(Message.of(topic, "k", "m-" + published.get())).join();
                        published.incrementAndGet();
                    } catch (CompletionException e) {
                        refused.incrementAndGet();
                    }
                    LockSupport.parkNanos(200_000);
                }
            }, "restart-load");
            load.start();
            await().atMost(PATIENCE).until(() -> received.size() >= 1000);
            hub.close();
            await().atMost(PATIENCE).until(() -> subscriberStates.contains(ConnectionState.SUSPENDED));
            int beforeRestart = published.get();
            hub = ZeroMqHub.start(url);
            await().atMost(PATIENCE).until(() -> subscriberStates.contains(ConnectionState.RECONNECTED));
            await().atMost(PATIENCE).until(() -> lastReceived.get() >= beforeRestart + 1000);
            publishing.set(false);
            load.join(PATIENCE.toMillis());
            // The last message published is the reference: wait for it, then every earlier one is received or counted.
            int last = published.get() - 1;
            await().atMost(PATIENCE).until(() -> lastReceived.get() == last);
            long dropped = subscriber.unwrap(ZeroMqMetrics.class).orElseThrow().dropped(topic);
            System.out.printf("published %d, received %d, counted as dropped %d, refused while the hub was down %d%n",
                    published.get(), received.size(), dropped, refused.get());
            assertThat(received.size() + dropped).as("received + counted drops = published (lost silently: 0)").isEqualTo(published.get());
            assertThat(subscriberStates).containsSubsequence(ConnectionState.SUSPENDED, ConnectionState.RECONNECTED);
        } finally {
            hub.close();
        }
    }
}
