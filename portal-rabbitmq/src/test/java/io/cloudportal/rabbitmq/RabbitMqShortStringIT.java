package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.AMQP;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * AMQP short strings (header names, routing keys) are at most 255 bytes, and amqp-client finds a
 * longer one only while writing the frame, after it counted the message for confirms. Portal
 * refuses such a message before any I/O; a client exception that still gets through (here forced
 * past the check) must not leave the confirms one message off.
 */
class RabbitMqShortStringIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /** Far longer than PATIENCE: a publish that completes within PATIENCE was confirmed, not timed out. */
    private static final String LONG_CONFIRM_TIMEOUT = "&confirmTimeout=120s";

    @Test
    void aHeaderNameOverTheShortStringLimitIsRefusedBeforeAnyIo() {
        try (Portal portal = Portal.connect(RabbitMqHarness.INSTANCE.url())) {
            String name = "h".repeat(128) + "é".repeat(64);
            Message message = Message.builder("short-strings").payload("x").header(name, "v").build();
            assertThatThrownBy(() -> portal.publisher().publish(message))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("header name").hasMessageContaining("256 UTF-8 bytes").hasMessageContaining("at most 255");
        }
    }

    @Test
    void aMessageKeyOverTheShortStringLimitIsRefusedBeforeAnyIo() {
        try (Portal portal = Portal.connect(RabbitMqHarness.INSTANCE.url())) {
            Message message = Message.of("short-strings", "ü".repeat(128), "x");
            assertThatThrownBy(() -> portal.publisher().publish(message))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("message key").hasMessageContaining("at most 255");
        }
    }

    @Test
    void confirmsStayInStepAfterTheClientRefusedAMessage() throws Exception {
        String topic = "short-strings-" + System.nanoTime();
        try (Portal portal = Portal.connect(RabbitMqHarness.INSTANCE.url() + LONG_CONFIRM_TIMEOUT)) {
            portal.publisher().publish(Message.of(topic, "k", "warm-up")).get();
            RabbitMqPublisher shared = portal.unwrap(RabbitMqConnection.class).orElseThrow().sharedPublisher();
            AMQP.BasicProperties tooLong = new AMQP.BasicProperties.Builder().messageId("forced-1")
                    .headers(Map.of("h".repeat(300), "v")).build();

            CompletableFuture<PublishResult> refused = shared.send(topic, "", tooLong, new byte[] {1}, "forced-1");
            assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(PortalException.class)
                    .hasMessageContaining("Short string too long");

            CompletableFuture<PublishResult> lone = portal.publisher().publish(Message.of(topic, "k", "after"));
            await("a lone publish after the refusal is confirmed on its own").atMost(PATIENCE).until(lone::isDone);
            assertThat(lone).isCompleted();
        }
    }
}
