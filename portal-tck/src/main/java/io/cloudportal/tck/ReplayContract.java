package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@link io.cloudportal.Guarantee#REPLAY}: a new group starts at the earliest message, the latest or
 * a time, and a group is moved back; proven absent (the options refused, naming REPLAY) where the
 * backend keeps no history. A time is matched at the backend's granularity, at most a second
 * (RocketMQ's {@code consumeTimestamp}), so the scenario leaves more than that on each side of it.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class ReplayContract extends MessagingSupport {

    private static final Duration GRANULARITY = Duration.ofMillis(1_100);
    private static final int HALF = 1_000;

    /** What a subscription read, by payload. */
    private static final class Reader implements AutoCloseable {
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final Subscription subscription;

        Reader(Portal portal, SubscribeOptions options) {
            subscription = portal.subscriber().subscribe(options, delivery -> seen.add(delivery.message().payloadAsString()));
        }

        long count(String prefix) {
            return seen.stream().filter(p -> p.startsWith(prefix)).count();
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    private static List<Message> messages(String topic, String prefix) {
        List<Message> messages = new ArrayList<>(HALF);
        for (int i = 0; i < HALF; i++) {
            messages.add(Message.of(topic, "key-" + (i % 8), prefix + i));
        }
        return messages;
    }

    /** Publishes the first half, notes a time more than the granularity after it, and publishes the second half as long after. */
    private Instant publishAroundATime(String topic) throws Exception {
        publishAll(open().publisher(), messages(topic, "before-"));
        Instant published = Instant.now();
        await().atMost(PATIENCE).until(() -> Instant.now().isAfter(published.plus(GRANULARITY)));
        Instant between = Instant.now();
        await().atMost(PATIENCE).until(() -> Instant.now().isAfter(between.plus(GRANULARITY)));
        publishAll(open().publisher(), messages(topic, "after-"));
        return between;
    }

    @Test
    void aNewGroupStartsAtTheEarliestTheLatestOrATime() throws Exception {
        String topic = unique("replay-start");
        if (!declares(Guarantee.REPLAY)) {
            Portal portal = open();
            assertThatThrownBy(() -> portal.subscriber().subscribe(subscription(topic).withStartPosition(StartPosition.earliest()), d -> { }))
                    .isInstanceOf(UnsupportedFacilityException.class).hasMessageContaining("REPLAY");
            assertThatThrownBy(() -> portal.subscriber().resetGroup(topic, "g", StartPosition.earliest()))
                    .isInstanceOf(UnsupportedFacilityException.class).hasMessageContaining("REPLAY");
            notApplicable("REPLAY not declared: a start position and resetGroup are refused, naming REPLAY");
            return;
        }
        Instant between = publishAroundATime(topic);
        Portal consumer = open();
        try (Reader atTime = new Reader(consumer, group(topic, unique("at-time")).withStartPosition(StartPosition.at(between)));
             Reader earliest = new Reader(consumer, group(topic, unique("earliest")).withStartPosition(StartPosition.earliest()));
             Reader latest = new Reader(consumer, group(topic, unique("latest")).withStartPosition(StartPosition.latest()))) {
            await().atMost(PATIENCE).until(() -> atTime.count("after-") == HALF && earliest.seen.size() == 2 * HALF);
            open().publisher().publish(Message.of(topic, "key-0", "later")).get();
            await().atMost(PATIENCE).until(() -> latest.seen.contains("later") && atTime.seen.contains("later"));
            figure("atTimeBefore", atTime.count("before-"));
            figure("atTimeAfter", atTime.count("after-"));
            figure("latestOld", latest.seen.size() - 1);
            assertThat(atTime.count("before-")).as("messages published before the time, read by a group starting at it").isZero();
            assertThat(latest.seen).as("a group starting at the latest reads only what came after it").containsExactly("later");
        }
    }

    @Test
    void aGroupMovedBackReadsAgainFromTheBeginningOrFromATime() throws Exception {
        if (!declares(Guarantee.REPLAY)) {
            notApplicable("REPLAY not declared (proven refused in aNewGroupStartsAtTheEarliestTheLatestOrATime)");
            return;
        }
        String topic = unique("replay-reset");
        String groupName = unique("audit");
        Instant between = publishAroundATime(topic);
        Portal consumer = open();
        try (Reader first = new Reader(consumer, group(topic, groupName).withStartPosition(StartPosition.earliest()))) {
            await().atMost(PATIENCE).until(() -> first.seen.size() == 2 * HALF);
        }
        consumer.subscriber().resetGroup(topic, groupName, StartPosition.earliest());
        try (Reader again = new Reader(consumer, group(topic, groupName))) {
            await().atMost(PATIENCE).until(() -> again.seen.size() == 2 * HALF);
            figure("afterResetToEarliest", again.seen.size());
        }
        consumer.subscriber().resetGroup(topic, groupName, StartPosition.at(between));
        try (Reader fromTime = new Reader(consumer, group(topic, groupName))) {
            await().atMost(PATIENCE).until(() -> fromTime.count("after-") == HALF);
            open().publisher().publish(Message.of(topic, "key-0", "marker")).get();
            await().atMost(PATIENCE).until(() -> fromTime.seen.contains("marker"));
            figure("afterResetToTime", fromTime.count("after-"));
            figure("beforeTimeReadAgain", fromTime.count("before-"));
            assertThat(fromTime.count("before-")).as("messages before the time, read after a reset to it").isZero();
        }
        consumer.subscriber().resetGroup(topic, groupName, StartPosition.latest());
        try (Reader fromEnd = new Reader(consumer, group(topic, groupName))) {
            open().publisher().publish(Message.of(topic, "key-0", "newest")).get();
            await().atMost(PATIENCE).until(() -> fromEnd.seen.contains("newest"));
            assertThat(fromEnd.seen).as("after a reset to the latest").containsExactly("newest");
        }
    }
}
