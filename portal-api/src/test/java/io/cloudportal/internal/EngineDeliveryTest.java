package io.cloudportal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.messaging.DeadLetters;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.NamedThreads;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EngineDeliveryTest {

    private static final Message MESSAGE = Message.of("orders", "k", "v");

    private static DeliveryEngine engine(boolean deadLetters) {
        DeliveryEngine.Settings settings = new DeliveryEngine.Settings("test", true, deadLetters, 5, Duration.ofSeconds(1), new Observers());
        DeliveryEngine engine = new DeliveryEngine(SubscribeOptions.group("orders", "g"), d -> { }, settings, "orders.dlt",
                NamedThreads.factory("engine-delivery-test"), () -> { });
        engine.abort();
        return engine;
    }

    private static Received received(AtomicInteger idsBuilt) {
        return new Received() {
            @Override
            public Message message() {
                return MESSAGE;
            }

            @Override
            public String messageId() {
                return "id-" + idsBuilt.incrementAndGet();
            }

            @Override
            public int attempt() {
                return 1;
            }

            @Override
            public void acknowledge() {
            }

            @Override
            public void release() {
            }
        };
    }

    @Test
    void theFirstSettlingWinsAndTheOutcomeStays() {
        AtomicInteger ids = new AtomicInteger();
        EngineDelivery acked = new EngineDelivery(openEngine(true), received(ids), 2);
        assertThat(acked.ack()).isTrue();
        assertThat(acked.nack()).isFalse();
        assertThat(acked.deadLetter("late")).isFalse();
        assertThat(acked.settleAfter(new IllegalStateException("thrown after the ack")).acknowledged()).isTrue();
        assertThat(acked.attempt()).isEqualTo(2);
        assertThat(ids).as("the id is built only when asked").hasValue(0);

        EngineDelivery nacked = new EngineDelivery(openEngine(true), received(ids), 1);
        assertThat(nacked.nack()).isTrue();
        EngineDelivery.Outcome outcome = nacked.settleAfter(null);
        assertThat(outcome.acknowledged()).isFalse();
        assertThat(outcome.reason()).isEqualTo(DeadLetters.NACK_REASON);
        assertThat(nacked).hasToString("Delivery[" + MESSAGE + ", attempt 1, rejected]");

        EngineDelivery thrown = new EngineDelivery(openEngine(true), received(ids), 1);
        assertThat(thrown.settleAfter(new IllegalArgumentException("bad\norder")).reason())
                .isEqualTo("java.lang.IllegalArgumentException: bad order");
    }

    @Test
    void deadLetterNeedsTheGuaranteeAndClosedSubscriptionsRefuseSettling() {
        EngineDelivery withoutDeadLetters = new EngineDelivery(openEngine(false), received(new AtomicInteger()), 1);
        assertThatThrownBy(() -> withoutDeadLetters.deadLetter("why")).isInstanceOf(UnsupportedFacilityException.class)
                .hasMessageContaining("DEAD_LETTER");
        EngineDelivery afterClose = new EngineDelivery(engine(true), received(new AtomicInteger()), 1);
        assertThatThrownBy(afterClose::ack).hasMessageContaining("closed");
    }

    @Test
    void racingSettlersSettleItOnce() throws InterruptedException {
        DeliveryEngine engine = openEngine(true);
        for (int round = 0; round < 200; round++) {
            EngineDelivery delivery = new EngineDelivery(engine, received(new AtomicInteger()), 1);
            AtomicInteger winners = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int kind = t % 3;
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    boolean won = switch (kind) {
                        case 0 -> delivery.ack();
                        case 1 -> delivery.nack();
                        default -> delivery.deadLetter("racing");
                    };
                    if (won) {
                        winners.incrementAndGet();
                    }
                });
                threads.add(thread);
                thread.start();
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(winners).hasValue(1);
        }
    }

    private static DeliveryEngine openEngine(boolean deadLetters) {
        DeliveryEngine.Settings settings = new DeliveryEngine.Settings("test", true, deadLetters, 5, Duration.ofSeconds(1), new Observers());
        return new DeliveryEngine(SubscribeOptions.group("orders", "g"), d -> { }, settings, "orders.dlt",
                NamedThreads.factory("engine-delivery-test"), () -> { });
    }
}
