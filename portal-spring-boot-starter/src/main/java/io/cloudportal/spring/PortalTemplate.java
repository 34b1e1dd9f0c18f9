package io.cloudportal.spring;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Codec;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes objects on a connection (the primary one, as a bean): a payload that is not a {@code String} or
 * {@code byte[]} is encoded with the application's {@link Codec} bean, whose content type the
 * message then carries. For headers, delays or batches use {@link #publisher()}.
 */
public final class PortalTemplate {

    private final Portal portal;
    private final Codec codec;

    /**
     * @param portal the connection messages go to; its publisher is asked for at each send, so a
     *               connection without one (ZooKeeper, etcd) fails only when used
     * @param codec encodes payloads other than text and bytes; null if the application has none
     */
    public PortalTemplate(Portal portal, Codec codec) {
        this.portal = Objects.requireNonNull(portal, "portal");
        this.codec = codec;
    }

    /**
     * Publishes one message.
     *
     * @param topic the topic
     * @param key the key (messages of one key stay in order where the driver keeps order), or null
     * @param payload a {@code String}, {@code byte[]}, or an object the codec encodes
     * @return completes when the broker took the message
     * @throws IllegalStateException if the payload needs a codec and the application has none
     */
    public CompletableFuture<PublishResult> send(String topic, String key, Object payload) {
        Objects.requireNonNull(payload, "payload");
        Message message;
        if (payload instanceof String text) {
            message = Message.of(topic, key, text);
        } else if (payload instanceof byte[] bytes) {
            message = Message.builder(topic).key(key).payload(bytes).build();
        } else if (codec == null) {
            throw new IllegalStateException("a " + payload.getClass().getName() + " payload needs a Codec bean (e.g. portal-jackson's "
                    + "JsonCodec.create()); only String and byte[] are sent without one");
        } else {
            message = Message.builder(topic).key(key).payload(payload, codec).build();
        }
        return portal.publisher().publish(message);
    }

    /**
     * The publisher underneath, for what {@link #send} does not cover.
     *
     * @return the connection's publisher
     * @throws io.cloudportal.UnsupportedFacilityException if the connection's driver does not publish
     */
    public Publisher publisher() {
        return portal.publisher();
    }
}
