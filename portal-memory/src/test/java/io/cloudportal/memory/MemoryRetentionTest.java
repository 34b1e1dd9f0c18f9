package io.cloudportal.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The memory driver keeps a bounded window of read messages, and never drops an unread one. */
class MemoryRetentionTest {

    @Test
    void aLateGroupGetsOnlyTheRetentionWindowOfMessagesNobodyWasWaitingFor() {
        try (Portal portal = Portal.connect("memory://retention-window?retainMessages=10")) {
            for (int i = 0; i < 100; i++) {
                portal.publisher().publish(Message.of("t", "k", Integer.toString(i)));
            }
            List<String> received = new CopyOnWriteArrayList<>();
            try (Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group("t", "late"),
                    d -> received.add(d.message().payloadAsString()))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> received.contains("99"));
            }
            assertThat(received.size()).isBetween(10, 16);
            assertThat(received).doesNotContain("0");
        }
    }

    @Test
    void anUnreadMessageIsNeverDroppedEvenBeyondTheWindow() throws Exception {
        try (Portal portal = Portal.connect("memory://retention-unread?retainMessages=10")) {
            CountDownLatch release = new CountDownLatch(1);
            List<String> received = new CopyOnWriteArrayList<>();
            try (Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group("t", "slow"), d -> {
                release.await();
                received.add(d.message().payloadAsString());
            })) {
                for (int i = 0; i < 100; i++) {
                    portal.publisher().publish(Message.of("t", "k", Integer.toString(i)));
                }
                release.countDown();
                await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 100);
            }
        }
    }
}
