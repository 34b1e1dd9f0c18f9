package io.cloudportal.benchmarks.telemetry;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.micrometer.PortalMetrics;
import io.cloudportal.opentelemetry.PortalTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Publish-and-consume throughput with {@code portal-micrometer} and {@code portal-opentelemetry}
 * attached against the same work on a connection nothing observes, in alternating blocks on one
 * server in one JVM (which side goes first alternates; the first third of the pairs warm up). The
 * observed side runs what a production service would: a {@code SimpleMeterRegistry}, and the
 * OpenTelemetry SDK sampling every span into a batch processor whose exporter drops them.
 *
 * <pre>mvn -q -pl benchmarks-telemetry exec:java -Dexec.mainClass=io.cloudportal.benchmarks.telemetry.ObservedMessaging -Dexec.args="kafka 12 20000"</pre>
 */
public final class ObservedMessaging {

    private static byte[] payload = new byte[100];

    private ObservedMessaging() {
    }

    /**
     * Runs the pairs and prints each ratio and their mean.
     *
     * @param args {@code memory} or {@code kafka}; pairs (default 12); messages per block (default 20,000); what to attach:
     *        {@code both} (default), {@code metrics}, {@code tracing}, or {@code headers} (a trace header alone, no spans);
     *        the payload's size in bytes (default 100)
     * @throws Exception if the broker fails
     */
    public static void main(String[] args) throws Exception {
        String backend = args.length > 0 ? args[0] : "memory";
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        int messages = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        String attach = args.length > 3 ? args[3] : "both";
        payload = new byte[args.length > 4 ? Integer.parseInt(args[4]) : 100];
        if (backend.equals("kafka")) {
            try (EmbeddedKafka kafka = new EmbeddedKafka()) {
                kafka.start();
                run(kafka.url(), pairs, messages, attach);
            }
        } else {
            run("memory://observed-" + System.nanoTime(), pairs, messages, attach);
        }
    }

    private static void run(String url, int pairs, int messages, String attach) throws Exception {
        SpanExporter dropping = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        try (OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(dropping).build()).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
             Portal observed = Portal.connect(url); Portal plain = Portal.connect(url)) {
            if (attach.equals("headers")) {
                // What a broker carries for tracing, without the spans: one W3C-sized header on every message.
                observed.observe(new io.cloudportal.observation.PortalObserver() {
                    @Override
                    public io.cloudportal.observation.Observation publishing(io.cloudportal.observation.OutgoingMessage message) {
                        message.header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
                        return io.cloudportal.observation.Observation.NONE;
                    }
                });
            }
            if (attach.equals("both") || attach.equals("metrics")) {
                PortalMetrics.bind(observed, new SimpleMeterRegistry());
            }
            if (attach.equals("both") || attach.equals("tracing")) {
                PortalTracing.bind(observed, otel);
            }
            Side observedSide = new Side(observed, "observed");
            Side plainSide = new Side(plain, "plain");
            double sum = 0;
            int counted = 0;
            for (int pair = 0; pair < pairs; pair++) {
                boolean observedFirst = pair % 2 == 0;
                double first = (observedFirst ? observedSide : plainSide).block(messages);
                double second = (observedFirst ? plainSide : observedSide).block(messages);
                double withObservers = observedFirst ? first : second;
                double without = observedFirst ? second : first;
                double ratio = withObservers / without;
                System.out.printf(Locale.ROOT, "pair %2d: observed %,.0f, plain %,.0f messages/s, ratio %.3f%n", pair, withObservers, without, ratio);
                if (pair >= pairs / 3) {
                    sum += ratio;
                    counted++;
                }
            }
            observedSide.close();
            plainSide.close();
            System.out.printf(Locale.ROOT, "%s, %s attached, %d-byte payloads: observed ÷ plain, mean of the last %d pairs: %.3f%n",
                    url.replaceAll("://.*", ""), attach, payload.length, counted, sum / counted);
        }
    }

    /** One connection's topic, group and publisher; a block publishes and waits until every message was handled. */
    private static final class Side {
        private final Publisher publisher;
        private final Subscription subscription;
        private final Semaphore handled = new Semaphore(0);
        private final String topic;
        private long sequence;

        Side(Portal portal, String name) {
            this.topic = "bench-" + name + "-" + System.nanoTime();
            this.publisher = portal.publisher();
            this.subscription = portal.subscriber().subscribe(SubscribeOptions.group(topic, "bench"), delivery -> handled.release());
        }

        double block(int messages) throws Exception {
            long started = System.nanoTime();
            List<CompletableFuture<PublishResult>> sent = new ArrayList<>(messages);
            for (int i = 0; i < messages; i++) {
                sent.add(publisher.publish(new Message(topic, "k" + (sequence++ & 15), payload, null)));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            if (!handled.tryAcquire(messages, 120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("messages not handled within 120 s");
            }
            return messages / ((System.nanoTime() - started) / 1e9);
        }

        void close() {
            subscription.close();
        }
    }
}
