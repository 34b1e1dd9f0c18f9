package io.cloudportal.zeromq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.tck.SecretsProbe;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

/** CURVE: encryption and authentication both ways; a client with the wrong hub key or a key the hub does not admit is refused. */
class ZeroMqCurveIT {

    private static final ZMQ.Curve.KeyPair HUB = ZMQ.Curve.generateKeyPair();
    private static final ZMQ.Curve.KeyPair CLIENT = ZMQ.Curve.generateKeyPair();
    private static final ZMQ.Curve.KeyPair STRANGER = ZMQ.Curve.generateKeyPair();
    private static String url;
    private static ZeroMqHub hub;

    @BeforeAll
    static void startHub() {
        url = ZeroMqHarness.hubUrl(ZeroMqHarness.freePort(), ZeroMqHarness.freePort());
        hub = ZeroMqHub.start(url, Map.of("curvePublicKey", HUB.publicKey, "curveSecretKey", HUB.secretKey,
                "curveClients", CLIENT.publicKey));
    }

    @AfterAll
    static void stopHub() {
        hub.close();
    }

    /** A refused client waits its whole connectTimeout: short for them, long enough for an admitted one to redial once. */
    private static Portal client(String hubKey, ZMQ.Curve.KeyPair pair) {
        boolean admitted = hubKey.equals(HUB.publicKey) && pair == CLIENT;
        return Portal.connect(url, Map.of("connectTimeout", admitted ? "15s" : "3s", "curveServerKey", hubKey,
                "curvePublicKey", pair.publicKey, "curveSecretKey", pair.secretKey));
    }

    @Test
    void anAdmittedClientThatKnowsTheHubsKeyPublishesAndSubscribes() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (Portal subscriber = client(HUB.publicKey, CLIENT); Portal publisher = client(HUB.publicKey, CLIENT)) {
            subscriber.subscriber().subscribe(SubscribeOptions.broadcast("secret-orders"), d -> received.add(d.message().payloadAsString()));
            publisher.publisher().publish(Message.of("secret-orders", "k", "encrypted on the wire")).join();
            await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("encrypted on the wire"));
            assertThat(subscriber.toString()).doesNotContain(CLIENT.secretKey);
        }
    }

    @Test
    void aClientWithTheWrongHubKeyIsRefused() {
        assertThatThrownBy(() -> client(STRANGER.publicKey, CLIENT))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("curveServerKey")
                .hasMessageNotContaining(CLIENT.secretKey);
    }

    @Test
    void aClientWhoseKeyTheHubDoesNotAdmitIsRefused() {
        long refusedBefore = hub.refusedClients();
        assertThatThrownBy(() -> client(HUB.publicKey, STRANGER))
                .isInstanceOf(UnavailableException.class).hasMessageNotContaining(STRANGER.secretKey);
        assertThat(hub.refusedClients()).isGreaterThan(refusedBefore);
    }

    @Test
    void aPlainClientCannotTalkToACurveHub() {
        assertThatThrownBy(() -> Portal.connect(url + "&connectTimeout=2s")).isInstanceOf(UnavailableException.class);
    }

    @Test
    void curveSecretKeysAppearInNoLogLineToStringOrException() throws Exception {
        String admitted = url + "&connectTimeout=15s" + keys(HUB.publicKey, CLIENT);
        String stranger = url + "&connectTimeout=3s" + keys(HUB.publicKey, STRANGER);
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(admitted, stranger, List.of(CLIENT.secretKey, STRANGER.secretKey,
                HUB.secretKey));
        assertThat(printed).contains("PROBE REFUSED UnavailableException");
    }

    /** Z85 keys use characters a URL must escape. */
    private static String keys(String hubKey, ZMQ.Curve.KeyPair pair) {
        return "&curveServerKey=" + URLEncoder.encode(hubKey, StandardCharsets.UTF_8) + "&curvePublicKey="
                + URLEncoder.encode(pair.publicKey, StandardCharsets.UTF_8) + "&curveSecretKey="
                + URLEncoder.encode(pair.secretKey, StandardCharsets.UTF_8);
    }
}
