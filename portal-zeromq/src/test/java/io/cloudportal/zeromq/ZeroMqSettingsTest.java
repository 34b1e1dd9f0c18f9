package io.cloudportal.zeromq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalUrl;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

class ZeroMqSettingsTest {

    private static ZeroMqSettings settings(String url, Map<String, String> options) {
        PortalUrl parsed = PortalUrl.parse(url);
        java.util.Map<String, String> merged = new java.util.HashMap<>(parsed.queryOptions());
        merged.putAll(options);
        return ZeroMqSettings.from(parsed, new Options(merged));
    }

    @Test
    void aTcpUrlNamesTheHubAndSubscribersUseTheNextPort() {
        ZeroMqSettings settings = settings("zeromq://hub.example:5555", Map.of());
        assertThat(settings.publisherEndpoint()).isEqualTo("tcp://hub.example:5555");
        assertThat(settings.subscriberEndpoint()).isEqualTo("tcp://hub.example:5556");
        assertThat(settings.sendHighWaterMark()).isEqualTo(10_000);
        assertThat(settings.maxBlock()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.curve()).isEmpty();
    }

    @Test
    void aWildcardHubIsDialledOnLoopbackAndBoundOnEveryInterface() {
        ZeroMqSettings settings = settings("zeromq://0.0.0.0:7000?subscriberPort=7100&bind=true", Map.of());
        assertThat(settings.publisherEndpoint()).isEqualTo("tcp://127.0.0.1:7000");
        assertThat(settings.subscriberBindEndpoint()).isEqualTo("tcp://*:7100");
    }

    @Test
    void anInprocUrlNamesAHubInTheJvm() {
        ZeroMqSettings settings = settings("zeromq+inproc://events", Map.of());
        assertThat(settings.publisherEndpoint()).isEqualTo("inproc://portal-hub-events-in");
        assertThat(settings.subscriberEndpoint()).isEqualTo("inproc://portal-hub-events-out");
        assertThatThrownBy(() -> settings("zeromq+inproc://events?bind=true", Map.of()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("bind").hasMessageContaining("tcp");
    }

    @Test
    void malformedHubsAndOptionsAreRefusedWithTheRule() {
        assertThatThrownBy(() -> settings("zeromq://hub", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> settings("zeromq://a:1,b:2", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("one hub");
        assertThatThrownBy(() -> settings("zeromq://hub:5555?subscriberPort=5555", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("must differ");
        assertThatThrownBy(() -> settings("zeromq://hub:5555?heartbeatTimeout=100ms", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("heartbeatTimeout");
        assertThatThrownBy(() -> settings("zeromq://hub:5555/path", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no path");
        assertThatThrownBy(() -> settings("zeromq://hub:5555?sendHighWaterMark=0", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sendHighWaterMark");
    }

    @Test
    void curveKeysAreCheckedAndTheSecretIsNeverShown() {
        ZMQ.Curve.KeyPair hub = ZMQ.Curve.generateKeyPair();
        ZMQ.Curve.KeyPair client = ZMQ.Curve.generateKeyPair();
        ZeroMqSettings settings = settings("zeromq://hub:5555", Map.of("curveServerKey", hub.publicKey,
                "curvePublicKey", client.publicKey, "curveSecretKey", client.secretKey));
        assertThat(settings.curve()).isPresent();
        assertThat(settings.toString() + settings.curve().get()).doesNotContain(client.secretKey);
        ZeroMqSettings generated = settings("zeromq://hub:5555", Map.of("curveServerKey", hub.publicKey));
        assertThat(generated.curve().orElseThrow().secretKey()).hasSize(32);
        assertThatThrownBy(() -> settings("zeromq://hub:5555", Map.of("curveServerKey", "short")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("40 characters");
        assertThatThrownBy(() -> settings("zeromq://hub:5555", Map.of("curveServerKey", hub.publicKey, "curveSecretKey", client.secretKey)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("go together").hasMessageNotContaining(client.secretKey);
        assertThatThrownBy(() -> settings("zeromq://hub:5555", Map.of("curveSecretKey", client.secretKey)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("curveServerKey");
        assertThatThrownBy(() -> settings("zeromq://hub:5555?bind=true", Map.of("curvePublicKey", hub.publicKey)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("curveSecretKey");
    }
}
