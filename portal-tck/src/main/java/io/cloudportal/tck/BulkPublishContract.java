package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.Subscription;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Publisher#publishAll(List)}: one result per message at its index, every message
 * delivered once, per-key order kept where declared, and a list with one bad message refused
 * whole before anything is sent.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class BulkPublishContract extends MessagingSupport {

    private static final int LISTS = 8;
    private static final int PER_LIST = 250;

    /** A message of the ledger's without its key: the driver's batching path for unkeyed runs. */
    private static Message withoutKey(Message message) {
        return new Message(message.topic(), null, message.payload(), message.headers());
    }

    @Test
    void eachMessageOfABulkPublishHasItsResultAndArrivesOnce() throws Exception {
        String topic = unique("bulk-publish");
        Ledger keyed = new Ledger();
        Ledger unkeyed = new Ledger();
        try (Subscription ignored = open().subscriber().subscribe(
                subscription(topic).withConcurrency(4).withOrderedByKey(declares(Guarantee.ORDER_PER_KEY)), delivery -> {
                    Message message = delivery.message();
                    (message.key() == null ? unkeyed : keyed).handled(message);
                })) {
            Publisher publisher = open().publisher();
            List<CompletableFuture<PublishResult>> all = new ArrayList<>();
            for (int list = 0; list < LISTS; list++) {
                List<Message> messages = new ArrayList<>(PER_LIST);
                for (int i = 0; i < PER_LIST; i++) {
                    // Lists of keyed messages, of unkeyed ones, and mixed, so every path of a driver's batching runs.
                    boolean key = switch (list % 3) {
                        case 0 -> true;
                        case 1 -> false;
                        default -> i % 2 == 0;
                    };
                    messages.add(key ? keyed.next(topic, "key-" + (i % 10)) : withoutKey(unkeyed.next(topic, "none")));
                }
                List<CompletableFuture<PublishResult>> results = publisher.publishAll(messages);
                assertThat(results).hasSize(PER_LIST);
                all.addAll(results);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(all).allSatisfy(result -> assertThat(result.join().topic()).isEqualTo(topic));
            assertThat(all.stream().map(result -> result.join().messageId()).distinct().count()).as("distinct message ids").isEqualTo(all.size());
            await().atMost(PATIENCE).until(() -> keyed.distinctHandled() + unkeyed.distinctHandled() == LISTS * PER_LIST);
        }
        figure("published", keyed.published() + unkeyed.published());
        figure("lost", keyed.lost() + unkeyed.lost());
        figure("duplicated", keyed.duplicated() + unkeyed.duplicated());
        figure("reordered", keyed.reordered());
        assertThat(keyed.lost() + unkeyed.lost()).as("lost messages").isZero();
        assertThat(keyed.duplicated() + unkeyed.duplicated()).as("duplicated messages").isZero();
        assertOrderKeptIfDeclared(keyed);
    }

    @Test
    void aListWithOneBadMessageIsRefusedWholeAndNothingIsSent() throws Exception {
        String topic = unique("bulk-refused");
        List<Message> received = new CopyOnWriteArrayList<>();
        Portal consumer = open();
        try (Subscription ignored = consumer.subscriber().subscribe(subscription(topic), delivery -> received.add(delivery.message()))) {
            Publisher publisher = open().publisher();
            Message good = Message.of(topic, "k", "good");
            Message tooBig = Message.of(topic, new byte[limits().maxPayloadBytes() + 1]);
            assertThatThrownBy(() -> publisher.publishAll(List.of(good, good, tooBig, good)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("messages[2]").hasMessageContaining("none of the 4");
            assertThatThrownBy(() -> publisher.publishAll(Arrays.asList(good, null)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("messages[1]");
            assertThatThrownBy(() -> publisher.publishAll(List.of(good, new Message("bad topic!", null, new byte[1], Map.of()))))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("messages[1]");
            assertThat(publisher.publishAll(List.of())).isEmpty();
            publisher.publish(Message.of(topic, "k", "marker")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> !received.isEmpty());
        }
        figure("sentOfRefusedLists", received.size() - 1);
        assertThat(received).extracting(Message::payloadAsString).containsExactly("marker");
    }
}
