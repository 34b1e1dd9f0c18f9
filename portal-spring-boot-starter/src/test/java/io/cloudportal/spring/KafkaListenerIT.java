package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spring.autoconfigure.PortalAutoConfiguration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/** {@code @PortalListener} on a real Kafka broker: it consumes, retries, dead-letters, and drains on shutdown. */
class KafkaListenerIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static EmbeddedKafka kafka;

    private final String topic = "orders-" + UUID.randomUUID().toString().substring(0, 8);
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PortalAutoConfiguration.class))
            .withPropertyValues("portal.url=" + kafka.url(), "orders.topic=" + topic);

    @BeforeAll
    static void start() {
        kafka = new EmbeddedKafka();
        kafka.start();
    }

    @AfterAll
    static void stop() {
        kafka.close();
    }

    @Test
    void aListenerConsumesRetriesDeadLettersAndDrainsOnShutdown() throws Exception {
        Billing billing = new Billing();
        List<String> deadLetters = new CopyOnWriteArrayList<>();
        try (Portal auditor = Portal.connect(kafka.url());
             Subscription ignored = auditor.subscriber().subscribe(SubscribeOptions.group(
                     auditor.subscriber().deadLetterTopic(SubscribeOptions.group(topic, "billing")), "audit"),
                     delivery -> deadLetters.add(delivery.message().payloadAsString()))) {
            runner.withBean(Billing.class, () -> billing).run(context -> {
                PortalTemplate template = context.getBean(PortalTemplate.class);
                for (String order : List.of("flaky", "poison", "fine")) {
                    template.send(topic, order, order).get(30, TimeUnit.SECONDS);
                }
                await().atMost(PATIENCE).until(() -> billing.billed.containsAll(List.of("flaky", "fine")) && deadLetters.contains("poison"));
                // Only now: the listener has one handler, and "slow" holds it until shutdown, so sent with the others it
                // could be handled first (another partition) and keep "fine" waiting for the whole test.
                template.send(topic, "slow", "slow").get(30, TimeUnit.SECONDS);
                assertThat(billing.slowStarted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            });
            assertThat(billing.billed).as("billed, the slow one finished during shutdown").containsExactlyInAnyOrder("flaky", "fine", "slow");
            assertThat(billing.attempts.get("flaky")).hasValue(2);
            assertThat(billing.attempts.get("poison")).hasValue(3);
            assertThat(deadLetters).containsExactly("poison");
        }
        // What the drained member acknowledged was committed: the group's next member starts after it.
        Billing next = new Billing();
        runner.withBean(Billing.class, () -> next).run(context -> {
            context.getBean(PortalTemplate.class).send(topic, "later", "later").get(30, TimeUnit.SECONDS);
            await().atMost(PATIENCE).until(() -> next.billed.contains("later"));
            assertThat(next.billed).containsExactly("later");
        });
    }

    /** Fails "flaky" once and "poison" always; "slow" runs until the context begins to close. */
    static class Billing implements ApplicationListener<ContextClosedEvent> {
        final List<String> billed = new CopyOnWriteArrayList<>();
        final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
        final CountDownLatch slowStarted = new CountDownLatch(1);
        private final CountDownLatch closing = new CountDownLatch(1);

        @PortalListener(topic = "${orders.topic}", group = "billing", maxAttempts = 3)
        void bill(String order, Delivery delivery) throws InterruptedException {
            int attempt = attempts.computeIfAbsent(order, o -> new AtomicInteger()).incrementAndGet();
            if (order.equals("poison") || order.equals("flaky") && attempt == 1) {
                throw new IllegalStateException("cannot bill " + order + " (attempt " + delivery.attempt() + ")");
            }
            if (order.equals("slow")) {
                slowStarted.countDown();
                closing.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            billed.add(order);
        }

        @Override
        public void onApplicationEvent(ContextClosedEvent event) {
            closing.countDown();
        }
    }
}
