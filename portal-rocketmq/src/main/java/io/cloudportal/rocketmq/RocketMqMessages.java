package io.cloudportal.rocketmq;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.messaging.Message;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.rocketmq.common.message.MessageAccessor;
import org.apache.rocketmq.common.message.MessageConst;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Portal's layout of a message on RocketMQ, both ways: the key in {@code KEYS}, each header a
 * user property, and the names of empty headers in {@value #EMPTY_HEADERS_PROPERTY} (RocketMQ
 * drops a property with an empty value).
 */
final class RocketMqMessages {

    /** A Portal property listing the headers whose value is empty. */
    static final String EMPTY_HEADERS_PROPERTY = "portal.empty-headers";

    private RocketMqMessages() {
    }

    /** What RocketMQ refuses that the portable rules allow: an empty body and header names RocketMQ keeps for itself. */
    static void check(String topic, Message message) {
        if (message.payloadSize() == 0) {
            throw new InvalidArgumentException("payload of a message to '" + topic + "' is empty: RocketMQ needs a body of at least 1 byte");
        }
        for (String name : message.headers().keySet()) {
            if (MessageConst.STRING_HASH_SET.contains(name)) {
                throw new InvalidArgumentException("header name '" + name + "' is reserved by RocketMQ for its own properties");
            }
            if (name.equals(EMPTY_HEADERS_PROPERTY)) {
                throw new InvalidArgumentException("header name '" + name + "' is reserved by Portal's RocketMQ driver");
            }
        }
    }

    /** The RocketMQ message for a Portal message, after {@link #check(String, Message)}. */
    static org.apache.rocketmq.common.message.Message toRocketMq(String topic, Message message) {
        check(topic, message);
        org.apache.rocketmq.common.message.Message outgoing = new org.apache.rocketmq.common.message.Message(topic, message.payload());
        if (message.key() != null) {
            outgoing.setKeys(message.key());
        }
        StringBuilder empty = new StringBuilder();
        message.headers().forEach((name, value) -> {
            if (value.isEmpty()) {
                // Header names hold no control characters (a portable rule), so a newline separates them safely.
                empty.append(empty.length() == 0 ? "" : "\n").append(name);
            } else {
                // putUserProperty refuses values that are blank, which Portal allows.
                MessageAccessor.putProperty(outgoing, name, value);
            }
        });
        if (empty.length() > 0) {
            MessageAccessor.putProperty(outgoing, EMPTY_HEADERS_PROPERTY, empty.toString());
        }
        return outgoing;
    }

    /**
     * The Portal message for a received RocketMQ message; RocketMQ's own properties are left out.
     *
     * @param message what the consumer received
     * @return the message as published
     */
    static Message toPortal(MessageExt message) {
        Map<String, String> headers = new LinkedHashMap<>();
        message.getProperties().forEach((name, value) -> {
            if (name.equals(EMPTY_HEADERS_PROPERTY)) {
                for (String empty : value.split("\n")) {
                    headers.put(empty, "");
                }
            } else if (!MessageConst.STRING_HASH_SET.contains(name)) {
                headers.put(name, value);
            }
        });
        String key = message.getKeys();
        return new Message(message.getTopic(), key == null || key.isEmpty() ? null : key, message.getBody(), headers);
    }
}
