package io.cloudportal.observation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A message about to be published, as an observer sees it: where it goes, and its headers, to
 * which an observer may add its own (a W3C {@code traceparent}, for instance) before the driver
 * sends it.
 */
public final class OutgoingMessage {

    private final String system;
    private final String topic;
    private final Map<String, String> headers;
    private boolean changed;

    /**
     * Created by the portable layer for each publish.
     *
     * @param system the driver's name, e.g. {@code kafka} (OpenTelemetry's {@code messaging.system})
     * @param topic the topic
     * @param headers the message's headers
     */
    public OutgoingMessage(String system, String topic, Map<String, String> headers) {
        this.system = system;
        this.topic = topic;
        this.headers = new LinkedHashMap<>(headers);
    }

    /**
     * The driver's name.
     *
     * @return e.g. {@code rabbitmq}
     */
    public String system() {
        return system;
    }

    /**
     * The topic published to.
     *
     * @return the topic
     */
    public String topic() {
        return topic;
    }

    /**
     * The headers, with what observers added so far.
     *
     * @return a read-only view
     */
    public Map<String, String> headers() {
        return Collections.unmodifiableMap(headers);
    }

    /**
     * Adds or replaces a header on the message to be sent.
     *
     * @param name the header's name
     * @param value its value
     */
    public void header(String name, String value) {
        headers.put(name, value);
        changed = true;
    }

    /**
     * Whether an observer added a header.
     *
     * @return true if the message must be sent with {@link #headers()}
     */
    public boolean changed() {
        return changed;
    }
}
