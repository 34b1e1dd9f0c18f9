package io.cloudportal.jackson;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cloudportal.CodecException;
import io.cloudportal.messaging.Codec;
import io.cloudportal.messaging.Message;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

    record Line(String sku, int quantity) {
    }

    record Order(String id, Instant placedAt, List<Line> lines) {
    }

    private final Codec json = JsonCodec.create();

    @Test
    void aRecordWithTimesAndListsRoundTripsAndTheMessageSaysItIsJson() {
        Order order = new Order("o-1", Instant.parse("2026-12-02T10:15:30.123Z"), List.of(new Line("sku-1", 2), new Line("sku-2", 1)));

        Message message = Message.builder("orders").key("o-1").payload(order, json).build();

        assertThat(message.headers()).containsEntry(Message.CONTENT_TYPE_HEADER, "application/json");
        assertThat(message.payloadAs(Order.class, json)).isEqualTo(order);
    }

    @Test
    void aPlainClientsJsonWithoutContentTypeIsReadAndJsonSuffixesAreAccepted() {
        byte[] bytes = "{\"sku\":\"a\",\"quantity\":3}".getBytes(StandardCharsets.UTF_8);

        assertThat(Message.of("t", bytes).payloadAs(Line.class, json)).isEqualTo(new Line("a", 3));
        Message cloudEvent = Message.builder("t").payload(bytes).header("content-type", "application/cloudevents+json; charset=UTF-8").build();
        assertThat(cloudEvent.payloadAs(Line.class, json)).isEqualTo(new Line("a", 3));
    }

    @Test
    void aPayloadThatIsNotTheTypeNamesTheTypeAndTheContentTypeButNotThePayload() {
        Message broken = Message.builder("orders").payload("{\"id\": secret-token-42".getBytes(StandardCharsets.UTF_8))
                .header("content-type", "application/json").build();

        assertThatThrownBy(() -> broken.payloadAs(Order.class, json)).isInstanceOf(CodecException.class)
                .hasMessageContaining(Order.class.getName()).hasMessageContaining("application/json").hasMessageContaining("'orders'")
                .hasMessageNotContaining("secret-token-42");
    }

    @Test
    void anotherContentTypeIsRefusedBeforeDecoding() {
        Message text = Message.builder("orders").payload("hello", Codec.text()).build();

        assertThatThrownBy(() -> text.payloadAs(Order.class, json)).isInstanceOf(CodecException.class)
                .hasMessageContaining("text/plain; charset=utf-8").hasMessageContaining(Order.class.getName());
    }

    @Test
    void anApplicationsOwnMapperDecidesTheRules() {
        Codec strict = JsonCodec.using(JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build());
        byte[] extra = "{\"sku\":\"a\",\"quantity\":3,\"colour\":\"red\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> strict.decode(extra, Line.class)).isInstanceOf(CodecException.class).hasMessageContaining("colour");
    }

    @Test
    void aValueJacksonCannotWriteFailsNamingItsType() {
        Object selfReferencing = new Object() {
            public Object getSelf() {
                return this;
            }
        };

        assertThatThrownBy(() -> json.encode(selfReferencing)).isInstanceOf(CodecException.class).hasMessageContaining("cannot encode");
    }
}
