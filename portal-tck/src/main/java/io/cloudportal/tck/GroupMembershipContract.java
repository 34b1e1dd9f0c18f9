package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.MessageHandler;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A consumer group whose members come and go while messages flow: the work moves between them
 * with nothing lost and nothing handed out twice, because a member gives up a partition or queue
 * only after what it handled there is committed. Both ways are tested, since a backend moves work
 * on a join by taking it from members that stay, a path a close does not take.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class GroupMembershipContract extends MessagingSupport {

    /** What a handler spends on each message: long enough that a rebalance meets messages in hand. */
    private static final long WORK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    @Test
    void membersClosedMidStreamLeaveTheRestToTheOthers() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            notApplicable("CONSUMER_GROUPS not declared");
            return;
        }
        String topic = unique("takeover");
        SubscribeOptions options = group(topic, unique("g")).withConcurrency(2).withOrderedByKey(declares(Guarantee.ORDER_PER_KEY));
        Ledger ledger = new Ledger();
        List<Subscription> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(open().subscriber().subscribe(options, working(ledger, null)));
        }
        List<Message> messages = batch(ledger, topic, 3000, 12);
        Publisher publisher = open().publisher();
        publishAll(publisher, messages.subList(0, 1000));
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() >= 300);
        members.get(0).close();
        members.get(1).close();
        publishAll(publisher, messages.subList(1000, messages.size()));
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() == ledger.published());
        members.get(2).close();
        assertNoneLostOrDuplicated(ledger);
        assertOrderKeptIfDeclared(ledger);
    }

    @Test
    void membersJoiningMidStreamTakeTheirShareWithNothingHandledTwice() throws Exception {
        if (!declares(Guarantee.CONSUMER_GROUPS)) {
            notApplicable("CONSUMER_GROUPS not declared");
            return;
        }
        String topic = unique("scale-out");
        SubscribeOptions options = group(topic, unique("g")).withConcurrency(2).withOrderedByKey(declares(Guarantee.ORDER_PER_KEY));
        Ledger ledger = new Ledger();
        AtomicInteger byJoiners = new AtomicInteger();
        List<Subscription> members = new ArrayList<>();
        members.add(open().subscriber().subscribe(options, working(ledger, null)));
        List<Message> messages = batch(ledger, topic, 4000, 16);
        publishAll(open().publisher(), messages);
        await().atMost(PATIENCE).until(() -> ledger.distinctHandled() >= 400);
        for (int i = 0; i < 2; i++) {
            members.add(open().subscriber().subscribe(options, working(ledger, byJoiners)));
        }
        await().atMost(PATIENCE.multipliedBy(2)).until(() -> ledger.distinctHandled() == ledger.published());
        members.forEach(Subscription::close);
        figure("handledByJoiners", byJoiners.get());
        assertNoneLostOrDuplicated(ledger);
        assertOrderKeptIfDeclared(ledger);
        assertThat(byJoiners.get()).as("messages the members that joined handled").isPositive();
    }

    private static MessageHandler working(Ledger ledger, AtomicInteger counter) {
        return delivery -> {
            long until = System.nanoTime() + WORK_NANOS;
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            ledger.handled(delivery.message());
            if (counter != null) {
                counter.incrementAndGet();
            }
        };
    }
}
