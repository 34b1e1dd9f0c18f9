package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.Watch;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A connection the application started without: what waits for it runs once it opens, what was
 * cancelled meanwhile never does, and calls before then fail naming the property. The backend is
 * memory://, reached only on the third attempt.
 */
class PendingPortalTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final String url = "memory://pending-" + UUID.randomUUID();
    private final AtomicInteger attempts = new AtomicInteger();

    private Supplier<Portal> reachableOnTheThirdAttempt() {
        return () -> {
            if (attempts.incrementAndGet() < 3) {
                throw new UnavailableException("no server answers (attempt " + attempts.get() + ")");
            }
            return Portal.connect(url);
        };
    }

    @Test
    void whatWaitsForTheConnectionRunsOnceItOpensAndCallsBeforeThenFailNamingTheProperty() throws Exception {
        List<ConnectionState> heard = new CopyOnWriteArrayList<>();
        List<String> handled = new CopyOnWriteArrayList<>();
        AtomicInteger cancelledRuns = new AtomicInteger();
        try (PendingPortal portal = new PendingPortal("portal.connections.events.url", url, reachableOnTheThirdAttempt(),
                new UnavailableException("no server answers (at startup)"))) {
            assertThat(portal.state()).isEqualTo(ConnectionState.SUSPENDED);
            assertThat(portal.driverName()).isEqualTo("memory");
            assertThat(portal.notOpenYet()).contains("no server answers (at startup)");
            assertThat(portal.toString()).contains("portal.connections.events.url", "not open yet").doesNotContain(url);
            assertThatThrownBy(portal::publisher).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("portal.connections.events.url is not open yet");
            portal.onStateChange(heard::add);
            portal.whenOpen(open -> open.subscriber().subscribe(SubscribeOptions.group("orders", "billing"),
                    delivery -> handled.add(delivery.message().payloadAsString())));
            Watch cancelled = portal.whenOpen(open -> {
                cancelledRuns.incrementAndGet();
                return null;
            });
            cancelled.close();

            await().atMost(PATIENCE).until(() -> portal.notOpenYet().isEmpty());
            assertThat(attempts.get()).isEqualTo(3);
            assertThat(portal.state()).isEqualTo(ConnectionState.CONNECTED);
            assertThat(heard).as("a listener added before the connection opened hears the state it opened in").containsExactly(ConnectionState.CONNECTED);
            portal.publisher().publish(Message.of("orders", "order-1", "order-1")).get(10, TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> handled.contains("order-1"));
            assertThat(cancelledRuns.get()).as("an action cancelled before the connection opened").isZero();
        }
    }

    @Test
    void closingBeforeItOpensStopsTheAttempts() throws Exception {
        PendingPortal portal = new PendingPortal("portal.url", url, reachableOnTheThirdAttempt(), new UnavailableException("down"));
        portal.close();
        assertThat(portal.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(portal.notOpenYet()).isEmpty();
        assertThatThrownBy(portal::kvStore).isInstanceOf(io.cloudportal.ClosedException.class);
        int before = attempts.get();
        // The first attempt was due after a second: none comes once closed.
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> attempts.get() == before);
    }
}
