package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ClosedException;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.Requests;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.observation.PortalObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Request-reply ({@link Publisher#request} and {@link io.cloudportal.messaging.Delivery#reply}),
 * written once over publish and subscribe: every reply reaches the request it answers, a request
 * nobody answers fails at its timeout, a late reply is dropped and counted, and closing the
 * connection leaves no request waiting.
 */
@Requires({Facility.PUBLISHER, Facility.SUBSCRIBER})
public abstract class RequestReplyContract extends MessagingSupport {

    private static final int REQUESTERS = 8;
    private static final int REQUESTS = 500;
    private static final int IN_FLIGHT = 50;

    private SubscribeOptions responders(String topic, String group) {
        return declares(Guarantee.CONSUMER_GROUPS) ? SubscribeOptions.group(topic, group) : SubscribeOptions.broadcast(topic);
    }

    @Test
    void everyReplyMeetsItsRequestWithEightRequestersAndTwoResponders() throws Exception {
        String topic = unique("prices");
        String group = unique("pricing");
        List<Subscription> responders = new ArrayList<>();
        AtomicInteger[] answered = {new AtomicInteger(), new AtomicInteger()};
        // Without groups every responder would answer every request: one then, and the second reply would be a duplicate.
        int responderCount = declares(Guarantee.CONSUMER_GROUPS) ? 2 : 1;
        for (int r = 0; r < responderCount; r++) {
            int responder = r;
            responders.add(open().subscriber().subscribe(responders(topic, group).withConcurrency(4), delivery -> {
                answered[responder].incrementAndGet();
                delivery.reply(("price of " + delivery.message().payloadAsString()).getBytes(StandardCharsets.UTF_8),
                        Map.of("responder", Integer.toString(responder))).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }));
        }
        AtomicInteger mismatches = new AtomicInteger();
        AtomicInteger replies = new AtomicInteger();
        ExecutorService requesters = Executors.newFixedThreadPool(REQUESTERS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int q = 0; q < REQUESTERS; q++) {
                Publisher publisher = open().publisher();
                int requester = q;
                running.add(requesters.submit(() -> {
                    Semaphore inFlight = new Semaphore(IN_FLIGHT);
                    List<CompletableFuture<Message>> all = new ArrayList<>();
                    for (int i = 0; i < REQUESTS; i++) {
                        inFlight.acquire();
                        String item = "item-" + requester + "-" + i;
                        CompletableFuture<Message> reply = publisher.request(Message.of(topic, "k" + (i % 8), item), PATIENCE);
                        reply.whenComplete((answer, failure) -> {
                            inFlight.release();
                            if (failure == null) {
                                replies.incrementAndGet();
                                if (!answer.payloadAsString().equals("price of " + item)) {
                                    mismatches.incrementAndGet();
                                }
                            }
                        });
                        all.add(reply);
                    }
                    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds() * 2, TimeUnit.SECONDS);
                    return null;
                }));
            }
            for (Future<?> requester : running) {
                requester.get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS);
            }
        } finally {
            requesters.shutdownNow();
            responders.forEach(Subscription::close);
        }
        figure("replies", replies.get());
        figure("mismatches", mismatches.get());
        figure("perResponder", answered[0].get() + "/" + answered[1].get());
        assertThat(mismatches.get()).as("replies that did not answer their request").isZero();
        assertThat(replies.get()).isEqualTo(REQUESTERS * REQUESTS);
    }

    @Test
    void aRequestNobodyAnswersFailsAtItsTimeout() throws Exception {
        String topic = unique("unanswered");
        Publisher publisher = open().publisher();
        long started = System.nanoTime();
        CompletableFuture<Message> reply = publisher.request(Message.of(topic, "k", "anyone?"), Duration.ofMillis(500));
        assertThatThrownBy(() -> reply.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).hasCauseInstanceOf(PortalTimeoutException.class)
                .hasMessageContaining(topic);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        figure("failedAfterMillis", tookMillis);
        assertThat(tookMillis).as("failed at its timeout, not before").isGreaterThanOrEqualTo(500);
    }

    @Test
    void aReplyAfterItsRequestTimedOutIsDroppedAndCounted() throws Exception {
        String topic = unique("slow");
        CountDownLatch timedOut = new CountDownLatch(1);
        AtomicInteger dropped = new AtomicInteger();
        Portal requester = open();
        requester.observe(new PortalObserver() {
            @Override
            public void replyDropped(String system, String replyTopic) {
                dropped.incrementAndGet();
            }
        });
        try (Subscription ignored = open().subscriber().subscribe(responders(topic, unique("slow")), delivery -> {
            assertThat(timedOut.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            delivery.reply("too late".getBytes(StandardCharsets.UTF_8)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        })) {
            CompletableFuture<Message> reply = requester.publisher().request(Message.of(topic, "k", "quick?"), Duration.ofMillis(300));
            assertThatThrownBy(() -> reply.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).hasCauseInstanceOf(PortalTimeoutException.class);
            timedOut.countDown();
            await().atMost(PATIENCE).until(() -> dropped.get() == 1);
        }
        figure("dropped", dropped.get());
    }

    @Test
    void closingTheConnectionFailsTheRequestsStillWaiting() throws Exception {
        String topic = unique("closing");
        Portal requester = open();
        CompletableFuture<Message> reply = requester.publisher().request(Message.of(topic, "k", "hello?"), PATIENCE);
        requester.close();
        assertThatThrownBy(() -> reply.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).hasCauseInstanceOf(ClosedException.class);
    }

    @Test
    void replyingToAMessageThatIsNotARequestFailsAndRequestHeadersArePortals() throws Exception {
        String topic = unique("not-a-request");
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        try (Subscription ignored = open().subscriber().subscribe(subscription(topic), delivery -> {
            try {
                delivery.reply(new byte[] {1});
                refused.complete(null);
            } catch (RuntimeException e) {
                refused.complete(e);
            }
        })) {
            open().publisher().publish(Message.of(topic, "k", "plain")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(refused.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(Requests.REPLY_TO_HEADER);
        }
        Message forged = Message.builder(topic).payload("x").header(Requests.CORRELATION_ID_HEADER, "someone-else:1").build();
        assertThatThrownBy(() -> open().publisher().request(forged, PATIENCE)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(Requests.CORRELATION_ID_HEADER);
        assertThatThrownBy(() -> open().publisher().request(Message.of(topic, "k", "x"), Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("timeout");
    }

}
