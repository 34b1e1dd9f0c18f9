package io.cloudportal.tck;

import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A broker that stops answering without closing its connections (a paused process, a stalled VM,
 * a network that drops every packet): the calls that take a timeout keep it, and a message
 * published meanwhile is settled once the broker answers again, never left pending.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class FrozenBrokerContract extends MessagingSupport {

    @Test
    void flushAndCloseReturnWithinTheirTimeoutsWhileTheBrokerIsFrozen() throws Exception {
        if (!canInject(Fault.SERVER_FROZEN)) {
            return;
        }
        Duration timeout = Duration.ofSeconds(1);
        Duration bound = timeout.plus(Deadline.SLACK).plus(Duration.ofSeconds(1));
        Portal victim = open();
        String topic = unique("frozen");
        List<String> received = new CopyOnWriteArrayList<>();
        Subscription subscription = victim.subscriber().subscribe(subscription(topic), d -> received.add(d.message().payloadAsString()));
        victim.publisher().publish(Message.of(topic, "k", "before")).get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        await().atMost(PATIENCE).until(() -> received.contains("before"));

        List<String> outcomes = new ArrayList<>();
        CompletableFuture<PublishResult> during;
        try (AutoCloseable frozen = harness().freeze(victim)) {
            during = victim.publisher().publish(Message.of(topic, "k", "during"));
            outcomes.add(withinBound("flush", bound, PortalTimeoutException.class, () -> {
                victim.publisher().flush(timeout);
                return "flushed";
            }));
            outcomes.add(withinBound("Subscription.close", bound, PortalTimeoutException.class,
                    () -> subscription.close(timeout) ? "drained" : "handlers still running"));
        }
        // Thawed: the message published meanwhile is acknowledged or failed, not left pending forever.
        await().atMost(PATIENCE).until(during::isDone);
        outcomes.add("during=" + (during.isCompletedExceptionally() ? "failed" : "acknowledged"));
        figure("outcomes", String.join(" ", outcomes));
    }
}
