package io.cloudportal.micrometer;

import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.OutgoingMessage;
import io.cloudportal.observation.PortalObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Turns a connection's observations into meters; see {@link PortalMetrics} for the names. */
final class MeterObserver implements PortalObserver {

    private final MeterRegistry registry;

    MeterObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Observation publishing(OutgoingMessage message) {
        Tags tags = Tags.of("messaging.system", message.system(), "messaging.destination.name", message.topic(),
                "messaging.operation.name", "send");
        return new Timed(Timer.start(registry), outcome -> {
            Tags ended = tags.and("error.type", outcome.errorType());
            registry.counter("messaging.client.sent.messages", ended).increment();
            return Timer.builder("messaging.client.operation.duration").description("Time from a publish to the broker's answer")
                    .tags(ended).register(registry);
        });
    }

    @Override
    public Observation processing(IncomingMessage message) {
        Tags tags = consumer(message);
        registry.counter("messaging.client.consumed.messages", tags).increment();
        return new Timed(Timer.start(registry), outcome -> {
            Tags ended = tags.and("portal.outcome", outcome.word(), "error.type", outcome.errorType());
            return Timer.builder("messaging.process.duration").description("Time a handler took on a message").tags(ended)
                    .register(registry);
        });
    }

    @Override
    public void retrying(IncomingMessage message, String reason) {
        registry.counter("portal.messaging.retries", consumer(message)).increment();
    }

    @Override
    public void deadLettered(IncomingMessage message, String reason) {
        registry.counter("portal.messaging.dead_letters", consumer(message)).increment();
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
    public void leaseRenewed(String system, Duration lag) {
        Timer.builder("portal.session.renewal.lag").description("How long after it was due a lease renewal was confirmed")
                .tags("portal.system", system).register(registry).record(lag);
    }

    private static Tags consumer(IncomingMessage message) {
        return Tags.of("messaging.system", message.system(), "messaging.destination.name", message.topic(),
                "messaging.consumer.group.name", message.group().orElse("(broadcast)"));
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
