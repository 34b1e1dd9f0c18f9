package io.cloudportal.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.messaging.BatchHandler;
import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.DriverSubscription;
import io.cloudportal.spi.NamedThreads;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The batch engine's rules, with messages that settle into lists instead of a backend. */
class BatchSettlementTest {

    private final List<String> acknowledged = new CopyOnWriteArrayList<>();
    private final List<String> handled = new CopyOnWriteArrayList<>();

    private Received received(String key, String payload) {
        return new Received() {
            @Override
            public Message message() {
                return Message.of("orders", key, payload);
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
            public void acknowledge() {
                acknowledged.add(payload);
            }

            @Override
            public void release() {
            }
        };
    }

    private DeliveryEngine engine(SubscribeOptions options, BatchHandler handler) {
        DeliveryEngine.Settings settings = new DeliveryEngine.Settings("test", true, false, 3, Duration.ofSeconds(5), new Observers());
        DeliveryEngine engine = new DeliveryEngine(options.withRetryBackoff(Duration.ofMillis(1)), handler, BatchOptions.of(10, Duration.ZERO),
                settings, null, NamedThreads.factory("batch-settlement-test"), () -> { });
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

    /** Rejects "a1" on its first attempt and leaves everything else to be acknowledged. */
    private BatchHandler rejectingA1Once() {
        return batch -> {
            for (Delivery delivery : batch) {
                String payload = delivery.message().payloadAsString();
                handled.add(payload + "#" + delivery.attempt());
                if (payload.equals("a1") && delivery.attempt() == 1) {
                    delivery.nack();
                }
            }
        };
    }

    @Test
    void orderedByKeyARejectedMessageHoldsBackTheLaterOnesOfItsKeyWithoutUsingTheirAttempts() {
        DeliveryEngine engine = engine(SubscribeOptions.group("orders", "g").withOrderedByKey(true), rejectingA1Once());

        assertThat(engine.handleHere(List.of(received("a", "a1"), received("a", "a2"), received("b", "b1")))).isTrue();

        assertThat(handled).containsExactly("a1#1", "a2#1", "b1#1", "a1#2", "a2#1");
        assertThat(acknowledged).containsExactly("b1", "a1", "a2");
        engine.close();
    }

    @Test
    void unorderedOnlyTheRejectedMessageComesAgain() {
        DeliveryEngine engine = engine(SubscribeOptions.group("orders", "g"), rejectingA1Once());

        assertThat(engine.handleHere(List.of(received("a", "a1"), received("a", "a2"), received("b", "b1")))).isTrue();

        assertThat(handled).containsExactly("a1#1", "a2#1", "b1#1", "a1#2");
        assertThat(acknowledged).containsExactly("a2", "b1", "a1");
        engine.close();
    }

    @Test
    void aThrowingHandlerRejectsOnlyWhatItLeftAndABatchThatKeepsFailingIsSettledAfterItsAttempts() {
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        DeliveryEngine engine = engine(SubscribeOptions.group("orders", "g"), batch -> {
            sizes.add(batch.size());
            batch.get(0).ack();
            throw new IllegalStateException("down");
        });

        assertThat(engine.handleHere(List.of(received("a", "m1"), received("b", "m2"), received("c", "m3")))).isTrue();

        // m1 acknowledged in the first call, m2 in the second; m3 rejected three times is out of attempts (no dead letters here: dropped).
        assertThat(sizes).containsExactly(3, 2, 1);
        assertThat(acknowledged).containsExactly("m1", "m2", "m3");
        engine.close();
    }
}
