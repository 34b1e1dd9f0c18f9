package io.cloudportal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.NamedThreads;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine's own rules about a batch, with messages that settle into sets instead of a backend. */
class DeliveryEngineTest {

    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    private final Set<String> released = ConcurrentHashMap.newKeySet();

    private Received received(String payload, boolean stale) {
        return new Received() {
            @Override
            public Message message() {
                return Message.of("orders", "k-" + payload, payload);
            }

            @Override
            public String messageId() {
                return payload;
            }

            @Override
            public int attempt() {
                return 1;
            }

            @Override
            public boolean stale() {
                return stale;
            }

            @Override
            public void acknowledge() {
                acknowledged.add(payload);
            }

            @Override
            public void release() {
                released.add(payload);
            }
        };
    }

    private DeliveryEngine engine(io.cloudportal.messaging.MessageHandler handler) {
        return engine(handler, Duration.ZERO);
    }

    private DeliveryEngine engine(io.cloudportal.messaging.MessageHandler handler, Duration backoff) {
        DeliveryEngine.Settings settings = new DeliveryEngine.Settings("test", true, false, 3, Duration.ofSeconds(5), new Observers());
        DeliveryEngine engine = new DeliveryEngine(SubscribeOptions.group("orders", "g").withRetryBackoff(backoff), handler,
                settings, null, NamedThreads.factory("delivery-engine-test"), () -> { });
        engine.attach(new DriverSubscription() {
            @Override
            public void stopReceiving() {
            }

            @Override
            public void close(Duration timeout) {
            }
        });
        return engine;
    }

    @Test
    void aStaleMessageIsReleasedAndTheRestOfItsBatchIsStillHandled() throws Exception {
        DeliveryEngine engine = engine(delivery -> { });
        // As a Kafka poll that mixes a revoked partition's record with those of a partition the member keeps.
        engine.deliver(List.of(received("kept-1", false), received("revoked", true), received("kept-2", false)));
        await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() == 2);
        assertThat(acknowledged).containsExactlyInAnyOrder("kept-1", "kept-2");
        assertThat(released).containsExactly("revoked");
        engine.close(Duration.ofSeconds(5));
    }

    @Test
    void aHandlerThatThrowsInterruptedExceptionIsRetriedLikeAnyOtherFailure() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        DeliveryEngine engine = engine(delivery -> {
            if (attempts.incrementAndGet() == 1) {
                throw new InterruptedException("the handler's own");
            }
        }, Duration.ofMillis(10));
        engine.deliver(received("interrupted-once", false));
        await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.contains("interrupted-once"));
        assertThat(attempts).hasValue(2);
        assertThat(released).isEmpty();
        engine.close(Duration.ofSeconds(5));
    }
}
