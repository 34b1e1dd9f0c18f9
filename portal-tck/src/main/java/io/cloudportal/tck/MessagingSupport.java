package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.Guarantee;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the messaging contracts share: publishing a batch and waiting for it, the figures every
 * scenario reports and asserts (lost, duplicated, reordered; see {@link Ledger}), and the
 * subscription options a scenario starts from.
 */
public abstract class MessagingSupport extends ContractSupport {

    /**
     * Messages in the main throughput scenario.
     *
     * @return the count
     */
    protected int bulkMessages() {
        return 10_000;
    }

    /**
     * Retry backoff used by the redelivery scenarios; short, so they run quickly.
     *
     * @return the backoff
     */
    protected Duration retryBackoff() {
        return Duration.ofMillis(20);
    }

    static void publishAll(Publisher publisher, List<Message> messages) throws Exception {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(messages.size());
        for (Message message : messages) {
            results.add(publisher.publish(message));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds() * 5, TimeUnit.SECONDS);
    }

    static List<Message> batch(Ledger ledger, String topic, int count, int keys) {
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            messages.add(ledger.next(topic, "key-" + (i % keys)));
        }
        return messages;
    }

    void report(Ledger ledger) {
        figure("published", ledger.published());
        figure("lost", ledger.lost());
        figure("duplicated", ledger.duplicated());
        figure("reordered", ledger.reordered());
    }

    void assertNoneLostOrDuplicated(Ledger ledger) {
        report(ledger);
        assertThat(ledger.lost()).as("lost messages").isZero();
        assertThat(ledger.duplicated()).as("duplicated messages").isZero();
    }

    void assertOrderKeptIfDeclared(Ledger ledger) {
        if (declares(Guarantee.ORDER_PER_KEY)) {
            assertThat(ledger.reordered()).as("messages handled before an earlier one of their key").isZero();
        }
    }

    SubscribeOptions group(String topic, String group) {
        return SubscribeOptions.group(topic, group).withRetryBackoff(retryBackoff());
    }

    /** Pads a unique name to the given length with a character every backend's topic rule accepts. */
    static String longest(String unique, int length) {
        return unique.replace("-", "") + "x".repeat(length - unique.replace("-", "").length());
    }

    /** A group subscription where groups are declared, broadcast otherwise, so single-subscriber scenarios run on every driver. */
    SubscribeOptions subscription(String topic) {
        return declares(Guarantee.CONSUMER_GROUPS) ? group(topic, unique("g")) : SubscribeOptions.broadcast(topic).withRetryBackoff(retryBackoff());
    }
}
