package io.cloudportal.opentelemetry;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.opentelemetry.api.OpenTelemetry;
import java.util.Objects;

/**
 * Spans for one Portal connection, on the {@link OpenTelemetry} instance the application already
 * configured (nothing global is read or set):
 *
 * <pre>{@code
 * Watch tracing = PortalTracing.bind(portal, openTelemetry);   // close it to stop tracing
 * }</pre>
 *
 * <p>Following OpenTelemetry's messaging conventions, a publish is a {@code PRODUCER} span
 * {@code send <topic>} whose context travels in the message's headers (W3C {@code traceparent},
 * through the instance's propagators), and each handler run a {@code CONSUMER} span
 * {@code process <topic>} whose parent is the producer's span, current while the handler runs, so
 * the handler's own spans join the publisher's trace. A lock wait is an {@code INTERNAL} span
 * {@code lock <name>}.
 */
public final class PortalTracing {

    /** The instrumentation scope name of Portal's spans. */
    public static final String INSTRUMENTATION = "io.cloudportal";

    private PortalTracing() {
    }

    /**
     * Starts tracing a connection.
     *
     * @param portal the connection
     * @param openTelemetry the application's OpenTelemetry (its tracer provider and propagators)
     * @return a handle that stops tracing
     */
    public static Watch bind(Portal portal, OpenTelemetry openTelemetry) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        return portal.observe(new SpanObserver(openTelemetry.getTracer(INSTRUMENTATION), openTelemetry.getPropagators().getTextMapPropagator()));
    }
}
