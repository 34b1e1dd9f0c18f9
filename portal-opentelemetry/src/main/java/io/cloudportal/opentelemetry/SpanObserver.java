package io.cloudportal.opentelemetry;

import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.OutgoingMessage;
import io.cloudportal.observation.PortalObserver;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.Map;

/** Spans from a connection's observations; see {@link PortalTracing}. */
final class SpanObserver implements PortalObserver {

    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    SpanObserver(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public Observation publishing(OutgoingMessage message) {
        Span span = tracer.spanBuilder("send " + message.topic()).setSpanKind(SpanKind.PRODUCER)
                .setAttribute("messaging.system", message.system())
                .setAttribute("messaging.destination.name", message.topic())
                .setAttribute("messaging.operation.type", "send")
                .setAttribute("messaging.operation.name", "send")
                .startSpan();
        propagator.inject(Context.current().with(span), message, OutgoingMessage::header);
        // Ended on the thread that completes the publish: never made current here.
        return new Spanned(span, null);
    }

    @Override
    public Observation processing(IncomingMessage message) {
        Context producer = propagator.extract(Context.root(), message.headers(), HEADERS);
        var builder = tracer.spanBuilder("process " + message.topic()).setSpanKind(SpanKind.CONSUMER).setParent(producer)
                .setAttribute("messaging.system", message.system())
                .setAttribute("messaging.destination.name", message.topic())
                .setAttribute("messaging.operation.type", "process")
                .setAttribute("messaging.operation.name", "process")
                .setAttribute("messaging.message.id", message.messageId())
                .setAttribute("portal.delivery.attempt", message.attempt());
        message.group().ifPresent(group -> builder.setAttribute("messaging.consumer.group.name", group));
        Span span = builder.startSpan();
        // Current while the handler runs (the portable layer ends this on the same thread), so its spans are children.
        return new Spanned(span, span.makeCurrent());
    }

    @Override
    public Observation lockWaiting(String system, String lock) {
        Span span = tracer.spanBuilder("lock " + lock).setSpanKind(SpanKind.INTERNAL).setAttribute("portal.system", system)
                .setAttribute("portal.lock.name", lock).startSpan();
        return new Spanned(span, null);
    }

    /** A change of leadership is a moment, not an operation: a span that starts and ends at once, in no trace but its own. */
    @Override
    public void leadershipChanged(String system, String election, boolean leading, java.time.Duration tenure) {
        Span span = tracer.spanBuilder("leadership " + election).setSpanKind(SpanKind.INTERNAL).setNoParent()
                .setAttribute("portal.system", system).setAttribute("portal.election.name", election)
                .setAttribute("portal.leadership", leading ? "elected" : "revoked").startSpan();
        if (!leading) {
            span.setAttribute("portal.leadership.tenure_ms", tenure.toMillis());
        }
        span.end();
    }

    /** A span, and the scope that made it current if it is. */
    private static final class Spanned implements Observation {
        private final Span span;
        private final Scope scope;

        Spanned(Span span, Scope scope) {
            this.span = span;
            this.scope = scope;
        }

        @Override
        public void outcome(String outcome) {
            span.setAttribute("portal.outcome", outcome);
        }

        @Override
        public void failed(Throwable error) {
            span.recordException(error);
            span.setStatus(StatusCode.ERROR);
            span.setAttribute("error.type", error.getClass().getName());
        }

        @Override
        public void end() {
            if (scope != null) {
                scope.close();
            }
            span.end();
        }
    }
}
