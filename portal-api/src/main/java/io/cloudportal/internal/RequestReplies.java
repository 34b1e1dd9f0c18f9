package io.cloudportal.internal;

import io.cloudportal.ClosedException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Requests;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spi.NamedThreads;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requester: a broadcast subscription to {@link Requests#REPLY_TOPIC}, opened with
 * the first request, and the requests waiting for their replies. A reply is matched by its
 * correlation id ({@code <requester id>:<n>}); another requester's replies are skipped, a reply
 * nobody waits for any more is dropped and counted. A request leaves the map when it is answered,
 * times out, or the connection closes.
 */
final class RequestReplies implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestReplies.class);

    private final DefaultPortal portal;
    private final String requesterId = UUID.randomUUID().toString();
    private final String prefix = requesterId + ":";
    private final AtomicLong numbers = new AtomicLong();
    private final Map<String, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();
    private ScheduledExecutorService timers;
    private Subscription replies;
    private boolean closed;

    RequestReplies(DefaultPortal portal) {
        this.portal = portal;
    }

    CompletableFuture<Message> request(PortablePublisher via, Message message, Duration timeout) {
        ScheduledExecutorService timers = started();
        String correlation = prefix + numbers.incrementAndGet();
        Map<String, String> headers = new LinkedHashMap<>(message.headers());
        headers.put(Requests.REPLY_TO_HEADER, Requests.REPLY_TOPIC);
        headers.put(Requests.CORRELATION_ID_HEADER, correlation);
        Message request = new Message(message.topic(), message.key(), message.payload(), headers);
        CompletableFuture<Message> reply = new CompletableFuture<>();
        waiting.put(correlation, reply);
        ScheduledFuture<?> timer = timers.schedule(() -> {
            if (waiting.remove(correlation, reply)) {
                reply.completeExceptionally(new PortalTimeoutException("no reply to the request on '" + message.topic() + "' within "
                        + timeout + " (is anyone subscribed to it and answering with delivery.reply?)"));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        reply.whenComplete((answer, failure) -> {
            timer.cancel(false);
            waiting.remove(correlation, reply);
        });
        try {
            via.publish(request).whenComplete((published, failure) -> {
                if (failure != null) {
                    reply.completeExceptionally(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                }
            });
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
            throw e;
        }
        return reply;
    }

    /** Opens the reply subscription the first time; later calls only check the requester is open. */
    private synchronized ScheduledExecutorService started() {
        if (closed) {
            throw new ClosedException("cannot send a request: the connection " + portal + " is closed");
        }
        if (replies == null) {
            timers = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("portal-" + portal.context().connectionId() + "-requests"));
            try {
                replies = portal.internalSubscriber().subscribe(SubscribeOptions.broadcast(Requests.REPLY_TOPIC).withMaxAttempts(1),
                        delivery -> replied(delivery.message()));
            } catch (RuntimeException e) {
                timers.shutdownNow();
                timers = null;
                throw e;
            }
        }
        return timers;
    }

    private void replied(Message reply) {
        String correlation = reply.headers().get(Requests.CORRELATION_ID_HEADER);
        if (correlation == null || !correlation.startsWith(prefix)) {
            return;
        }
        CompletableFuture<Message> request = waiting.remove(correlation);
        if (request == null) {
            LOG.debug("Dropped a reply on '{}' to request {}: it timed out before", Requests.REPLY_TOPIC, correlation);
            portal.observers().replyDropped(portal.driverName(), reply.topic());
            return;
        }
        request.complete(reply);
    }

    @Override
    public void close() {
        Subscription subscription;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            subscription = replies;
        }
        for (CompletableFuture<Message> left : List.copyOf(waiting.values())) {
            left.completeExceptionally(new ClosedException("the connection " + portal + " closed before the reply came"));
        }
        waiting.clear();
        if (subscription != null) {
            subscription.close();
        }
        if (timers != null) {
            timers.shutdownNow();
        }
    }
}
