package io.cloudportal.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A publisher's trace continues in the handler, through the portable layer's hooks, with the SDK's in-memory exporter. */
class PortalTracingTest {

    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetry otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
    private final Tracer tracer = otel.getTracer("test");

    @Test
    void theHandlersSpanBelongsToThePublishersTrace() throws Exception {
        List<Map<String, String>> headers = new CopyOnWriteArrayList<>();
        try (Portal portal = Portal.connect("memory://tracing-" + UUID.randomUUID()); Watch ignored = PortalTracing.bind(portal, otel);
             Subscription subscription = portal.subscriber().subscribe(SubscribeOptions.group("orders", "billing"), delivery -> {
                 headers.add(delivery.message().headers());
                 tracer.spanBuilder("bill the order").startSpan().end();
             })) {
            Span request = tracer.spanBuilder("POST /orders").startSpan();
            try (Scope scope = request.makeCurrent()) {
                portal.publisher().publish(Message.of("orders", "order-7", "{}")).get(10, TimeUnit.SECONDS);
            } finally {
                request.end();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().size() == 4);
        }
        SpanData request = span("POST /orders");
        SpanData send = span("send orders");
        SpanData process = span("process orders");
        SpanData work = span("bill the order");
        assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
        assertThat(List.of(send, process, work)).allMatch(s -> s.getTraceId().equals(request.getTraceId()));
        assertThat(send.getParentSpanId()).isEqualTo(request.getSpanId());
        assertThat(process.getParentSpanId()).as("the process span's parent: the producer's span").isEqualTo(send.getSpanId());
        assertThat(work.getParentSpanId()).as("the handler's own span: inside the process span").isEqualTo(process.getSpanId());
        assertThat(process.getAttributes().asMap().toString()).contains("messaging.system=memory", "messaging.consumer.group.name=billing");
        assertThat(headers.get(0)).containsKey("traceparent");
        assertThat(headers.get(0).get("traceparent")).contains(request.getTraceId());
    }

    @Test
    void aHandlerThatFailsMarksItsSpanAndTheRetryIsAnotherSpanOfTheSameTrace() throws Exception {
        try (Portal portal = Portal.connect("memory://tracing-" + UUID.randomUUID()); Watch ignored = PortalTracing.bind(portal, otel);
             Subscription subscription = portal.subscriber().subscribe(SubscribeOptions.group("orders", "billing").withMaxAttempts(2)
                     .withRetryBackoff(Duration.ofMillis(10)), delivery -> {
                         if (delivery.attempt() == 1) {
                             throw new IllegalStateException("first try fails");
                         }
                     })) {
            portal.publisher().publish(Message.of("orders", "order-8", "{}")).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().stream()
                    .filter(s -> s.getName().equals("process orders")).count() == 2);
        }
        List<SpanData> runs = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process orders")).toList();
        assertThat(runs).extracting(s -> s.getAttributes().asMap().toString()).anyMatch(a -> a.contains("portal.outcome=retry"))
                .anyMatch(a -> a.contains("portal.outcome=ack"));
        assertThat(runs).anyMatch(s -> s.getStatus().getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR);
        assertThat(runs.get(0).getTraceId()).isEqualTo(runs.get(1).getTraceId());
    }

    @Test
    void aLeadershipChangeIsASpanOfItsOwn() throws Exception {
        try (Portal portal = Portal.connect("memory://tracing-" + UUID.randomUUID()); Watch ignored = PortalTracing.bind(portal, otel)) {
            io.cloudportal.leader.Candidacy candidacy = portal.leaderElection("scheduler").join("node-1", event -> { });
            await().atMost(Duration.ofSeconds(20)).until(candidacy::isLeader);
            candidacy.close();
            await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().size() == 2);
        }
        assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).containsOnly("leadership scheduler");
        assertThat(spans.getFinishedSpanItems()).extracting(s -> s.getAttributes().asMap().toString())
                .anyMatch(a -> a.contains("portal.leadership=elected")).anyMatch(a -> a.contains("portal.leadership=revoked"));
    }

    private SpanData span(String name) {
        return spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no span '" + name + "' among " + spans.getFinishedSpanItems()));
    }
}
