package io.cloudportal.rocketmq;

import io.cloudportal.messaging.Message;
import io.cloudportal.spi.Received;
import java.time.Duration;
import org.apache.rocketmq.common.message.MessageExt;

/** A message on one of RocketMQ's consume threads; the listener notes its offset once it is settled. */
final class RocketMqReceived implements Received {

    /** Hands a failed message back to RocketMQ for a later delivery; false to retry it in place. */
    @FunctionalInterface
    interface SendBack {
        boolean sendBack(MessageExt message, String broker, Duration backoff);
    }

    private final MessageExt message;
    /** The broker it came from, for sending it back; null for broadcast, which RocketMQ does not redeliver. */
    private final String broker;
    private final SendBack sendBack;
    private Message decoded;
    /** Acknowledged or handed back: the listener may note the offset after it. Set and read on the listener's thread. */
    private boolean settled;

    RocketMqReceived(MessageExt message, String broker, SendBack sendBack) {
        this.message = message;
        this.broker = broker;
        this.sendBack = sendBack;
    }

    @Override
    public Message message() {
        if (decoded == null) {
            decoded = RocketMqMessages.toPortal(message);
        }
        return decoded;
    }

    @Override
    public String messageId() {
        return message.getMsgId();
    }

    /** Sent back, the broker counts the attempts in the message it delivers again; retried in place, Portal counts. */
    @Override
    public int attempt() {
        return message.getReconsumeTimes() + 1;
    }

    @Override
    public void acknowledge() {
        // The listener notes the offset once handleHere returns.
        settled = true;
    }

    boolean settled() {
        return settled;
    }

    long queueOffset() {
        return message.getQueueOffset();
    }

    @Override
    public void release() {
        // Not noted: the next member of the group starts from it.
    }

    @Override
    public boolean redeliverLater(Duration backoff) {
        settled = sendBack.sendBack(message, broker, backoff);
        return settled;
    }
}
