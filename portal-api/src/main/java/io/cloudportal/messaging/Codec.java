package io.cloudportal.messaging;

import java.util.Locale;

/**
 * Turns a typed payload into bytes and back, and names what it writes with a content type.
 * A message built with {@link Message.Builder#payload(Object, Codec)} carries the codec's content
 * type in {@link Message#CONTENT_TYPE_HEADER}; {@link Message#payloadAs(Class, Codec)} and the
 * typed {@link Subscriber#subscribe(SubscribeOptions, Class, Codec, TypedHandler) subscribe}
 * refuse a message whose content type the codec does not decode, and decode a message with no
 * content type (a plain client's) as the codec's own.
 *
 * <p>Portal gives {@link #text()} and {@link #bytes()}; {@code portal-jackson} gives JSON.
 * Implementations are thread-safe.
 */
public interface Codec {

    /**
     * What this codec writes, as a media type, e.g. {@code application/json}.
     *
     * @return the content type written on publish
     */
    String contentType();

    /**
     * Whether this codec reads payloads of a content type. By default: the same media type as
     * {@link #contentType()}, ignoring case and parameters ({@code ; charset=utf-8}).
     *
     * @param contentType a message's content type
     * @return true if {@link #decode(byte[], Class)} may be given such a payload
     */
    default boolean decodes(String contentType) {
        return mediaType(contentType).equals(mediaType(contentType()));
    }

    /**
     * Encodes a value.
     *
     * @param value the value, not null
     * @return the payload bytes
     * @throws io.cloudportal.CodecException if the value cannot be encoded; the message names its type
     */
    byte[] encode(Object value);

    /**
     * Decodes a payload.
     *
     * @param payload the bytes
     * @param type the type wanted
     * @param <T> the type wanted
     * @return the value
     * @throws io.cloudportal.CodecException if the bytes are not a {@code type}; the message names the type
     */
    <T> T decode(byte[] payload, Class<T> type);

    /**
     * UTF-8 text ({@code text/plain; charset=utf-8}): encodes any {@link CharSequence}, decodes to
     * {@link String}.
     *
     * @return the text codec
     */
    static Codec text() {
        return BuiltInCodecs.TEXT;
    }

    /**
     * Bytes as they are ({@code application/octet-stream}): encodes and decodes {@code byte[]}.
     *
     * @return the bytes codec
     */
    static Codec bytes() {
        return BuiltInCodecs.BYTES;
    }

    /**
     * The media type of a content type: lower case, without parameters.
     *
     * @param contentType e.g. {@code Application/JSON; charset=utf-8}
     * @return e.g. {@code application/json}
     */
    static String mediaType(String contentType) {
        int parameters = contentType.indexOf(';');
        return (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim().toLowerCase(Locale.ROOT);
    }
}
