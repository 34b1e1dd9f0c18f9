package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.messaging.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SettlingDeliveryTest {

    private static final Message MESSAGE = Message.of("orders", "k", "v");

    @Test
    void theFirstSettlingWinsAndTheOutcomeStays() {
        SettlingDelivery acked = SettlingDelivery.of(MESSAGE, "id-1", 2);
        assertThat(acked.acknowledged()).isFalse();
        assertThat(acked.rejected()).isFalse();
        assertThat(acked.ack()).isTrue();
        assertThat(acked.nack()).isFalse();
        assertThat(acked.ack()).isFalse();
        assertThat(acked.acknowledged()).isTrue();
        assertThat(acked.rejected()).isFalse();
        assertThat(acked.message()).isEqualTo(MESSAGE);
        assertThat(acked.messageId()).isEqualTo("id-1");
        assertThat(acked.attempt()).isEqualTo(2);

        SettlingDelivery nacked = SettlingDelivery.of(MESSAGE, "id-2", 1);
        assertThat(nacked.nack()).isTrue();
        assertThat(nacked.ack()).isFalse();
        assertThat(nacked.rejected()).isTrue();
        assertThat(nacked.acknowledged()).isFalse();
        assertThat(nacked).hasToString("Delivery[" + MESSAGE + ", attempt 1, rejected]");
    }

    @Test
    void racingSettlersSettleItOnce() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            SettlingDelivery delivery = SettlingDelivery.of(MESSAGE, "id", 1);
            AtomicInteger winners = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean acking = t % 2 == 0;
                Thread thread = new Thread(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (acking ? delivery.ack() : delivery.nack()) {
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
            assertThat(delivery.acknowledged() ^ delivery.rejected()).isTrue();
        }
    }

    @Test
    void aSubclassMayBuildItsIdWhenAsked() {
        AtomicInteger built = new AtomicInteger();
        SettlingDelivery lazy = new SettlingDelivery(MESSAGE, 1) {
            @Override
            public String messageId() {
                return "built-" + built.incrementAndGet();
            }
        };
        assertThat(lazy.ack()).isTrue();
        assertThat(built).hasValue(0);
        assertThat(lazy.messageId()).isEqualTo("built-1");
    }

    @Test
    void refusesWhatNoDeliveryCanBe() {
        assertThatThrownBy(() -> SettlingDelivery.of(null, "id", 1)).isInstanceOf(NullPointerException.class).hasMessage("message");
        assertThatThrownBy(() -> SettlingDelivery.of(MESSAGE, null, 1)).isInstanceOf(NullPointerException.class).hasMessage("messageId");
        assertThatThrownBy(() -> SettlingDelivery.of(MESSAGE, "id", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempt 0 is below 1");
    }
}
