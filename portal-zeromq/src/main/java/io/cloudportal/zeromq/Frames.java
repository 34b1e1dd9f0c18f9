package io.cloudportal.zeromq;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Portal's wire format over ZeroMQ. A message is three frames:
 * <ol>
 * <li>the topic, UTF-8, then a zero byte: subscriptions match frame prefixes, and the zero byte
 * (which a topic cannot contain) makes {@code orders\0} match {@code orders} exactly, never {@code orders-eu};</li>
 * <li>the envelope: format version, the publisher's id and its per-topic sequence number (by which a
 * subscriber counts what it missed), the key and the headers;</li>
 * <li>the payload, untouched.</li>
 * </ol>
 * Control frames start with a zero byte, which no topic frame does: the hub's heartbeat, and the
 * answer to a subscriber's "ready?" subscription.
 */
final class Frames {

    static final byte VERSION = 1;
    /** Offset of the sequence number in an envelope, patched under the publisher's lock. */
    static final int SEQUENCE_OFFSET = 1 + Long.BYTES;
    static final byte[] HEARTBEAT = {0, 'h'};
    private static final byte READY_MARK = 'r';
    private static final int NO_KEY = -1;

    private Frames() {
    }

    static byte[] topic(String topic) {
        byte[] name = topic.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[name.length + 1];
        System.arraycopy(name, 0, frame, 0, name.length);
        return frame;
    }

    static boolean isControl(byte[] frame) {
        return frame.length > 0 && frame[0] == 0;
    }

    /** A control topic only the subscriber that asks with it receives; the hub answers it once the subscription arrived. */
    static byte[] ready(long subscriberId) {
        return ByteBuffer.allocate(2 + Long.BYTES).put((byte) 0).put(READY_MARK).putLong(subscriberId).array();
    }

    /** Tells whether a subscription message seen by the hub's XPUB ({@code 1} then the prefix) asks "ready?". */
    static boolean isReadyRequest(byte[] subscription) {
        return subscription.length == 3 + Long.BYTES && subscription[0] == 1 && subscription[1] == 0 && subscription[2] == READY_MARK;
    }

    /**
     * Encodes an envelope with sequence number 0; the publisher writes the real one at
     * {@link #SEQUENCE_OFFSET} when it sends, so that the encoding happens outside its lock.
     */
    static byte[] envelope(long publisherId, String key, Map<String, String> headers) {
        byte[] keyBytes = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        int size = 1 + Long.BYTES * 2 + Integer.BYTES + (keyBytes == null ? 0 : keyBytes.length) + Integer.BYTES;
        byte[][] encoded = new byte[headers.size() * 2][];
        int i = 0;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            encoded[i] = header.getKey().getBytes(StandardCharsets.UTF_8);
            encoded[i + 1] = header.getValue().getBytes(StandardCharsets.UTF_8);
            size += Integer.BYTES * 2 + encoded[i].length + encoded[i + 1].length;
            i += 2;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).put(VERSION).putLong(publisherId).putLong(0);
        if (keyBytes == null) {
            buffer.putInt(NO_KEY);
        } else {
            buffer.putInt(keyBytes.length).put(keyBytes);
        }
        buffer.putInt(headers.size());
        for (byte[] part : encoded) {
            buffer.putInt(part.length).put(part);
        }
        return buffer.array();
    }

    /** A message's id: its publisher, topic and sequence number, which together name it once. */
    static String messageId(long publisherId, String topic, long sequence) {
        return Long.toHexString(publisherId) + ":" + topic + ":" + sequence;
    }

    static void sequence(byte[] envelope, long sequence) {
        ByteBuffer.wrap(envelope).putLong(SEQUENCE_OFFSET, sequence);
    }

    /**
     * A decoded envelope.
     *
     * @param publisherId the publisher that sent it
     * @param sequence its number among that publisher's messages on the topic, from 1
     * @param key the key, or null
     * @param headers the headers
     */
    record Envelope(long publisherId, long sequence, String key, Map<String, String> headers) {

        static Envelope decode(byte[] frame) {
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            byte version = buffer.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("envelope format " + version + " is not " + VERSION
                        + ": a publisher runs a different Portal version");
            }
            long publisherId = buffer.getLong();
            long sequence = buffer.getLong();
            String key = text(buffer, true);
            int count = buffer.getInt();
            if (count < 0 || count > frame.length) {
                throw new IllegalArgumentException("envelope claims " + count + " headers");
            }
            Map<String, String> headers = count == 0 ? Map.of() : new LinkedHashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                headers.put(text(buffer, false), text(buffer, false));
            }
            return new Envelope(publisherId, sequence, key, headers);
        }

        private static String text(ByteBuffer buffer, boolean nullable) {
            int length = buffer.getInt();
            if (length == NO_KEY && nullable) {
                return null;
            }
            if (length < 0 || length > buffer.remaining()) {
                throw new IllegalArgumentException("envelope field of " + length + " bytes with " + buffer.remaining() + " left");
            }
            String text = new String(buffer.array(), buffer.position(), length, StandardCharsets.UTF_8);
            buffer.position(buffer.position() + length);
            return text;
        }
    }
}
