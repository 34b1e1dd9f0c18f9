package io.cloudportal.zeromq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.zeromq.ZeroMqHarness.CurveHub;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.zeromq.ZMQ;

/**
 * CURVE beyond the credentials contract (which runs against the same hub): encryption both ways,
 * a hub key the client gets wrong, a plain client, and the hub's count of refused clients.
 */
class ZeroMqCurveIT {

    private static Portal client(String hubKey, ZMQ.Curve.KeyPair pair) {
        // A client that cannot even decrypt the hub's answers waits its whole connectTimeout: keep that short.
        boolean knowsTheHub = hubKey.equals(CurveHub.HUB.publicKey);
        return Portal.connect(CurveHub.URL, Map.of("connectTimeout", knowsTheHub ? "15s" : "3s", "curveServerKey", hubKey,
                "curvePublicKey", pair.publicKey, "curveSecretKey", pair.secretKey));
    }

    @Test
    void anAdmittedClientThatKnowsTheHubsKeyPublishesAndSubscribes() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (Portal subscriber = client(CurveHub.HUB.publicKey, CurveHub.CLIENT);
             Portal publisher = client(CurveHub.HUB.publicKey, CurveHub.CLIENT)) {
            subscriber.subscriber().subscribe(SubscribeOptions.broadcast("secret-orders"), d -> received.add(d.message().payloadAsString()));
            publisher.publisher().publish(Message.of("secret-orders", "k", "encrypted on the wire")).join();
            await().atMost(Duration.ofSeconds(30)).until(() -> received.contains("encrypted on the wire"));
            assertThat(subscriber.toString()).doesNotContain(CurveHub.CLIENT.secretKey);
        }
    }

    @Test
    void aClientWithTheWrongHubKeyIsRefused() {
        assertThatThrownBy(() -> client(CurveHub.STRANGER.publicKey, CurveHub.CLIENT))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("curveServerKey")
                .hasMessageNotContaining(CurveHub.CLIENT.secretKey);
    }

    @Test
    void aClientWhoseKeyTheHubDoesNotAdmitIsRefusedAsAccessDeniedAtOnce() {
        long refusedBefore = CurveHub.RUNNING.refusedClients();
        assertThatThrownBy(() -> client(CurveHub.HUB.publicKey, CurveHub.STRANGER))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("curveClients")
                .hasMessageNotContaining(CurveHub.STRANGER.secretKey);
        assertThat(CurveHub.RUNNING.refusedClients()).isGreaterThan(refusedBefore);
    }

    @Test
    void aPlainClientCannotTalkToACurveHub() {
        assertThatThrownBy(() -> Portal.connect(CurveHub.URL + "&connectTimeout=2s")).isInstanceOf(UnavailableException.class);
    }
}
