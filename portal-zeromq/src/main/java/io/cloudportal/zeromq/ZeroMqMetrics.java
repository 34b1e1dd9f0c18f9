package io.cloudportal.zeromq;

/**
 * What a ZeroMQ connection counted, from {@code portal.unwrap(ZeroMqMetrics.class)}. ZeroMQ
 * delivers at most once and drops where a high-water mark is reached (a subscriber too slow for
 * the hub) or a hub restarts; each message carries its publisher's sequence number for its topic,
 * so a subscription sees every gap and counts what it missed here, and logs it, rather than losing it silently.
 * A message lost after the last one a subscription got from that publisher shows once a later one arrives.
 */
public interface ZeroMqMetrics {

    /**
     * Messages this connection's publisher handed to ZeroMQ.
     *
     * @return the count
     */
    long published();

    /**
     * Messages this connection's subscriptions received.
     *
     * @return the count
     */
    long received();

    /**
     * Messages this connection's subscriptions missed, on every topic.
     *
     * @return the count
     */
    long dropped();

    /**
     * Messages this connection's subscriptions to one topic missed.
     *
     * @param topic the topic
     * @return the count, 0 for a topic never subscribed
     */
    long dropped(String topic);

    /**
     * Handler calls that threw: ZeroMQ does not redeliver, so each is a message not handled.
     *
     * @return the count
     */
    long handlerFailures();
}
