package io.cloudportal.jackson;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cloudportal.CodecException;
import io.cloudportal.messaging.Codec;
import java.io.IOException;
import java.util.Objects;

/**
 * JSON payloads ({@code application/json}) through Jackson. {@link #create()} finds the Jackson
 * modules on the class path (add {@code jackson-datatype-jsr310} for {@code java.time} fields);
 * {@link #using(ObjectMapper)} takes the mapper an application already configured. Records,
 * beans and collections work as Jackson maps them.
 *
 * <pre>{@code
 * Codec json = JsonCodec.create();
 * publisher.publish(Message.builder("orders").key(order.id()).payload(order, json).build());
 * subscriber.subscribe(SubscribeOptions.group("orders", "billing"), Order.class, json, (o, delivery) -> bill(o));
 * }</pre>
 */
public final class JsonCodec implements Codec {

    /** The content type this codec writes. */
    public static final String CONTENT_TYPE = "application/json";

    private final ObjectMapper mapper;

    private JsonCodec(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * A codec over a mapper with every Jackson module found on the class path.
     *
     * @return the codec
     */
    public static JsonCodec create() {
        return new JsonCodec(JsonMapper.builder().findAndAddModules().build());
    }

    /**
     * A codec over an application's own mapper (its modules, naming and unknown-property rules).
     *
     * @param mapper the mapper; not copied, so configure it before use
     * @return the codec
     */
    public static JsonCodec using(ObjectMapper mapper) {
        return new JsonCodec(Objects.requireNonNull(mapper, "mapper"));
    }

    @Override
    public String contentType() {
        return CONTENT_TYPE;
    }

    /** {@code application/json} and the structured-syntax suffix {@code +json} (e.g. {@code application/cloudevents+json}). */
    @Override
    public boolean decodes(String contentType) {
        String mediaType = Codec.mediaType(contentType);
        return mediaType.equals(CONTENT_TYPE) || mediaType.endsWith("+json");
    }

    @Override
    public byte[] encode(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new CodecException("cannot encode a " + (value == null ? "null" : value.getClass().getName())
                    + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public <T> T decode(byte[] payload, Class<T> type) {
        try {
            return mapper.readValue(payload, type);
        } catch (JacksonException e) {
            // The original message only: the location Jackson appends may quote the payload.
            throw new CodecException("the payload (" + payload.length + " bytes) is not JSON of a " + type.getName()
                    + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CodecException("the payload (" + payload.length + " bytes) could not be read as a " + type.getName() + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "JsonCodec[" + CONTENT_TYPE + "]";
    }
}
