package io.cloudportal.observation;

import java.util.Map;
import java.util.Optional;

/**
 * A message handed to a subscription's handler, as an observer sees it.
 *
 * @param system the driver's name, e.g. {@code kafka} (OpenTelemetry's {@code messaging.system})
 * @param topic the topic it came from
 * @param group the consumer group, empty for a broadcast subscription
 * @param messageId the backend's id of the message: fit for a span attribute, never for a metric tag
 * @param attempt which delivery this is, 1 for the first
 * @param headers the message's headers, where a producer's trace context travels
 */
public record IncomingMessage(String system, String topic, Optional<String> group, String messageId, int attempt,
                              Map<String, String> headers) {

    /**
     * Checks and copies.
     *
     * @param system the driver's name
     * @param topic the topic
     * @param group the group, or empty
     * @param messageId the backend's id
     * @param attempt the delivery, from 1
     * @param headers the headers
     */
    public IncomingMessage {
        headers = Map.copyOf(headers);
    }
}
