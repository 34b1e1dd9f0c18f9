package io.cloudportal.messaging;

import io.cloudportal.CodecException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The codecs portal-api gives without a dependency: text and bytes. */
final class BuiltInCodecs {

    /** UTF-8 text; malformed bytes are refused rather than replaced, so nothing is silently changed. */
    static final Codec TEXT = new Codec() {
        @Override
        public String contentType() {
            return "text/plain; charset=utf-8";
        }

        @Override
        public byte[] encode(Object value) {
            if (!(value instanceof CharSequence text)) {
                throw new CodecException("the text codec encodes text, not " + typeOf(value));
            }
            return text.toString().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public <T> T decode(byte[] payload, Class<T> type) {
            if (type != String.class && type != CharSequence.class && type != Object.class) {
                throw new CodecException("the text codec decodes into String, not " + type.getName());
            }
            try {
                return type.cast(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString());
            } catch (CharacterCodingException e) {
                throw new CodecException("the payload is not UTF-8 text (" + payload.length + " bytes): " + e, e);
            }
        }

        @Override
        public String toString() {
            return "text codec (" + contentType() + ")";
        }
    };

    /** Bytes as they are; copied both ways, as {@link io.cloudportal.messaging.Message} copies its payload. */
    static final Codec BYTES = new Codec() {
        @Override
        public String contentType() {
            return "application/octet-stream";
        }

        @Override
        public byte[] encode(Object value) {
            if (!(value instanceof byte[] bytes)) {
                throw new CodecException("the bytes codec encodes byte[], not " + typeOf(value));
            }
            return bytes.clone();
        }

        @Override
        public <T> T decode(byte[] payload, Class<T> type) {
            if (type != byte[].class && type != Object.class) {
                throw new CodecException("the bytes codec decodes into byte[], not " + type.getName());
            }
            return type.cast(payload.clone());
        }

        @Override
        public String toString() {
            return "bytes codec (" + contentType() + ")";
        }
    };

    private BuiltInCodecs() {
    }

    static String typeOf(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }
}
