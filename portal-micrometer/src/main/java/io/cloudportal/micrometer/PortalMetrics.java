package io.cloudportal.micrometer;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meters for one Portal connection on a registry the application already has:
 *
 * <pre>{@code
 * Watch metrics = PortalMetrics.bind(portal, meterRegistry);   // close it to stop recording
 * }</pre>
 *
 * <p>Messaging meters follow OpenTelemetry's messaging semantic conventions
 * ({@code messaging.client.sent.messages}, {@code messaging.client.operation.duration},
 * {@code messaging.client.consumed.messages}, {@code messaging.process.duration}, tagged with
 * {@code messaging.system}, {@code messaging.destination.name} and
 * {@code messaging.consumer.group.name}); retries, dead letters, consumer lag
 * ({@code portal.messaging.consumer.lag}) and the coordination meters are
 * Portal's own ({@code portal.*}, tagged {@code portal.system}), listed in the README. Tags carry names the application chose
 * (topics, groups, locks, elections), never message ids, keys or credentials.
 */
public final class PortalMetrics {

    private PortalMetrics() {
    }

    /**
     * Starts recording a connection's meters.
     *
     * @param portal the connection
     * @param registry where the meters go
     * @return a handle that stops recording (the meters stay registered with their last values,
     *         except the consumer-lag gauges, which would read subscriptions it no longer hears of)
     */
    public static Watch bind(Portal portal, MeterRegistry registry) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(registry, "registry");
        Tags system = Tags.of("portal.system", portal.driverName());
        MeterObserver meters = new MeterObserver(registry);
        Watch observing = portal.observe(meters);
        AtomicInteger up = new AtomicInteger(1);
        Gauge.builder("portal.session.connected", up, AtomicInteger::get).tags(system)
                .description("1 while the connection's session is usable (CONNECTED or RECONNECTED), 0 while SUSPENDED, EXPIRED or CLOSED")
                .register(registry);
        Watch states = portal.onStateChange(state -> {
            up.set(state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED ? 1 : 0);
            registry.counter("portal.session.transitions", system.and("portal.session.state", state.name())).increment();
        });
        return () -> {
            observing.close();
            states.close();
            meters.removeLagGauges();
        };
    }
}
