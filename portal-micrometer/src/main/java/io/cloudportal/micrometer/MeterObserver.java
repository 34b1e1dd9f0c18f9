package io.cloudportal.micrometer;

import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.OutgoingMessage;
import io.cloudportal.observation.PortalObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Turns a connection's observations into meters; see {@link PortalMetrics} for the names. */
final class MeterObserver implements PortalObserver {

    private final MeterRegistry registry;
    private final Map<String, SendMeters> sends = new ConcurrentHashMap<>();
    private final Map<Consumer, ProcessMeters> processes = new ConcurrentHashMap<>();
    private final Map<Consumer, GroupLag> lags = new ConcurrentHashMap<>();

    MeterObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Observation publishing(OutgoingMessage message) {
        SendMeters meters = sends.computeIfAbsent(message.topic(), topic -> new SendMeters(registry,
                Tags.of("messaging.system", message.system(), "messaging.destination.name", topic, "messaging.operation.name", "send")));
        return new Timed(Timer.start(registry), meters::ended);
    }

    @Override
    public Observation processing(IncomingMessage message) {
        ProcessMeters meters = meters(message);
        meters.consumed.increment();
        return new Timed(Timer.start(registry), meters::ended);
    }

    @Override
    public void retrying(IncomingMessage message, String reason) {
        meters(message).retries.increment();
    }

    @Override
    public void deadLettered(IncomingMessage message, String reason) {
        meters(message).deadLetters.increment();
    }

    @Override
    public void replyDropped(String system, String replyTopic) {
        registry.counter("portal.request.replies.dropped", "messaging.system", system, "messaging.destination.name", replyTopic).increment();
    }

    private ProcessMeters meters(IncomingMessage message) {
        String group = message.group().orElse("(broadcast)");
        return processes.computeIfAbsent(new Consumer(message.topic(), group), consumer -> new ProcessMeters(registry,
                Tags.of("messaging.system", message.system(), "messaging.destination.name", consumer.topic(),
                        "messaging.consumer.group.name", consumer.group())));
    }

    @Override
    public Observation lockWaiting(String system, String lock) {
        Tags tags = Tags.of("portal.system", system, "portal.lock.name", lock);
        return new Timed(Timer.start(registry), outcome -> Timer.builder("portal.lock.wait.duration")
                .description("Time from asking for a lock to holding it or giving up").tags(tags.and("portal.outcome", outcome.word()))
                .register(registry));
    }

    @Override
    public void lockReleased(String system, String lock, Duration held) {
        hold(system, lock, "released").record(held);
    }

    @Override
    public void lockLost(String system, String lock, Duration held, String reason) {
        hold(system, lock, "lost").record(held);
        registry.counter("portal.lock.lost", Tags.of("portal.system", system, "portal.lock.name", lock, "portal.reason", reason)).increment();
    }

    @Override
    public void leadershipChanged(String system, String election, boolean leading, Duration tenure) {
        Tags tags = Tags.of("portal.system", system, "portal.election.name", election);
        registry.counter("portal.leadership.changes", tags.and("portal.leadership", leading ? "elected" : "revoked")).increment();
        if (!leading) {
            Timer.builder("portal.leadership.tenure").description("How long a term of this connection's candidate lasted").tags(tags)
                    .register(registry).record(tenure);
        }
    }

    private Timer hold(String system, String lock, String ended) {
        return Timer.builder("portal.lock.hold.duration").description("Time a lock was held, until released or lost")
                .tags("portal.system", system, "portal.lock.name", lock, "portal.ended", ended).register(registry);
    }

    @Override
    public void watchEvent(String system, String prefix, io.cloudportal.kv.KvEvent.Type type) {
        registry.counter("portal.kv.watch.events", "portal.system", system, "portal.kv.prefix", prefix,
                "portal.kv.event", type.name().toLowerCase(java.util.Locale.ROOT)).increment();
    }

    @Override
    public void leaseRenewed(String system, Duration lag) {
        Timer.builder("portal.session.renewal.lag").description("How long after it was due a lease renewal was confirmed")
                .tags("portal.system", system).register(registry).record(lag);
    }

    @Override
    public void registrationRestored(String system, String service) {
        Counter.builder("portal.registry.registrations.restored").description("Registrations put back after their session ended")
                .tags("portal.system", system, "portal.registry.service", service).register(registry).increment();
    }

    @Override
    public void subscriptionOpened(String system, Subscription subscription) {
        SubscribeOptions options = subscription.options();
        // A group's gauge; a broadcast subscriber is not a group's member, and a driver that cannot tell has no gauge.
        if (options.isBroadcast() || subscription.lag().isEmpty()) {
            return;
        }
        lags.compute(new Consumer(options.topic(), options.group().orElseThrow()), (consumer, lag) -> {
            GroupLag gauge = lag != null ? lag : new GroupLag(registry, Tags.of("messaging.system", system,
                    "messaging.destination.name", consumer.topic(), "messaging.consumer.group.name", consumer.group()));
            gauge.members.add(subscription);
            return gauge;
        });
    }

    @Override
    public void subscriptionClosed(String system, Subscription subscription) {
        SubscribeOptions options = subscription.options();
        if (options.isBroadcast()) {
            return;
        }
        lags.computeIfPresent(new Consumer(options.topic(), options.group().orElseThrow()), (consumer, lag) -> {
            lag.members.remove(subscription);
            if (lag.members.isEmpty()) {
                registry.remove(lag.gauge);
                return null;
            }
            return lag;
        });
    }

    /** Called once observing stopped: a gauge would otherwise keep reading members whose closing it no longer hears. */
    void removeLagGauges() {
        lags.keySet().forEach(consumer -> lags.computeIfPresent(consumer, (key, lag) -> {
            registry.remove(lag.gauge);
            return null;
        }));
    }

    private record Consumer(String topic, String group) {
    }

    /** One gauge per topic and group: the sum over this connection's members of the group, read when the registry asks. */
    private static final class GroupLag {
        private final Set<Subscription> members = ConcurrentHashMap.newKeySet();
        private final Gauge gauge;

        GroupLag(MeterRegistry registry, Tags tags) {
            this.gauge = Gauge.builder("portal.messaging.consumer.lag", members, GroupLag::sum).strongReference(true)
                    .description("Messages of the group's share held by this connection that are not handled yet").tags(tags)
                    .register(registry);
        }

        private static double sum(Set<Subscription> members) {
            long sum = 0;
            for (Subscription member : members) {
                sum += member.lag().orElse(0);
            }
            return sum;
        }
    }

    /**
     * A topic's publish meters, looked up once: a registry lookup per message (building its tags, finding the meter)
     * cost more than the rest of an in-memory publish.
     */
    private static final class SendMeters {
        private final MeterRegistry registry;
        private final Tags tags;
        private final Map<String, Ended> byError = new ConcurrentHashMap<>();

        SendMeters(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
        }

        Timer ended(Ending ending) {
            Ended ended = byError.computeIfAbsent(ending.errorType(), error -> new Ended(
                    registry.counter("messaging.client.sent.messages", tags.and("error.type", error)),
                    Timer.builder("messaging.client.operation.duration").description("Time from a publish to the broker's answer")
                            .tags(tags.and("error.type", error)).register(registry)));
            ended.count().increment();
            return ended.timer();
        }

        private record Ended(io.micrometer.core.instrument.Counter count, Timer timer) {
        }
    }

    /** A topic and group's consumer meters, looked up once. */
    private static final class ProcessMeters {
        private final MeterRegistry registry;
        private final Tags tags;
        private final io.micrometer.core.instrument.Counter consumed;
        private final io.micrometer.core.instrument.Counter retries;
        private final io.micrometer.core.instrument.Counter deadLetters;
        private final Map<Ending, Timer> runs = new ConcurrentHashMap<>();

        ProcessMeters(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
            this.consumed = registry.counter("messaging.client.consumed.messages", tags);
            this.retries = registry.counter("portal.messaging.retries", tags);
            this.deadLetters = registry.counter("portal.messaging.dead_letters", tags);
        }

        Timer ended(Ending ending) {
            return runs.computeIfAbsent(ending, e -> Timer.builder("messaging.process.duration").description("Time a handler took on a message")
                    .tags(tags.and("portal.outcome", e.word(), "error.type", e.errorType())).register(registry));
        }
    }

    /**
     * How an observed operation ended: the outcome word and, if it failed, the error's type. Every meter of a name
     * carries the same tag keys (Prometheus needs them to), so a success says {@code error.type=none}, as
     * Micrometer's own {@code exception=none} does.
     */
    private record Ending(String word, String error) {
        String errorType() {
            return error == null ? "none" : error;
        }
    }

    /** A timer sample stopped on the timer the ending picks (its tags depend on the outcome). */
    private static final class Timed implements Observation {
        private final Timer.Sample sample;
        private final java.util.function.Function<Ending, Timer> timer;
        private String word = "ok";
        private String error;

        Timed(Timer.Sample sample, java.util.function.Function<Ending, Timer> timer) {
            this.sample = sample;
            this.timer = timer;
        }

        @Override
        public void outcome(String outcome) {
            word = outcome;
        }

        @Override
        public void failed(Throwable failure) {
            error = failure.getClass().getSimpleName();
        }

        @Override
        public void end() {
            sample.stop(timer.apply(new Ending(word, error)));
        }
    }
}
