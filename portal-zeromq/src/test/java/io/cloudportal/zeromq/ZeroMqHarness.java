package io.cloudportal.zeromq;

import io.cloudportal.Portal;
import io.cloudportal.tck.Credentials;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.TckHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.zeromq.ZMQ;

/**
 * The TCK's way to ZeroMQ: a Portal hub on two loopback ports in the test JVM, reached over tcp.
 * No fault is injected through the TCK: its fault scenarios assert that nothing acknowledged is
 * lost, which a hub restart breaks by design for an at-most-once transport. {@link ZeroMqFaultsIT}
 * restarts the hub and asserts instead that every lost message is counted.
 */
final class ZeroMqHarness implements TckHarness {

    static final ZeroMqHarness INSTANCE = new ZeroMqHarness();

    private final int publisherPort = freePort();
    private final int subscriberPort = freePort();
    private final ZeroMqHub hub = ZeroMqHub.start(hubUrl(publisherPort, subscriberPort));

    private ZeroMqHarness() {
        Runtime.getRuntime().addShutdownHook(new Thread(hub::close, "zeromq-harness-stop"));
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hubUrl(int publisherPort, int subscriberPort) {
        return "zeromq://127.0.0.1:" + publisherPort + "?subscriberPort=" + subscriberPort;
    }

    @Override
    public String driverName() {
        return "zeromq";
    }

    @Override
    public String url() {
        return hubUrl(publisherPort, subscriberPort);
    }

    @Override
    public Portal connect() {
        return Portal.connect(url());
    }

    @Override
    public Set<Fault> faults() {
        return Set.of();
    }

    @Override
    public void inject(Fault fault, Portal victim) {
        throw new IllegalArgumentException("the ZeroMQ fixture injects no TCK fault; ZeroMqFaultsIT restarts the hub");
    }

    @Override
    public boolean isServerThread(Thread thread) {
        return thread.getName().startsWith("portal-zeromq-hub");
    }

    /** A client the CURVE hub admits, and a stranger with a key pair of its own. */
    @Override
    public Optional<Credentials> credentials() {
        return Optional.of(Credentials.of(CurveHub.url(CurveHub.CLIENT, "15s"), CurveHub.url(CurveHub.STRANGER, "3s"),
                CurveHub.CLIENT.secretKey, CurveHub.STRANGER.secretKey, CurveHub.HUB.secretKey));
    }

    /** A hub that speaks CURVE and admits one client key, started the first time a test asks for it. */
    static final class CurveHub {
        static final ZMQ.Curve.KeyPair HUB = ZMQ.Curve.generateKeyPair();
        static final ZMQ.Curve.KeyPair CLIENT = ZMQ.Curve.generateKeyPair();
        static final ZMQ.Curve.KeyPair STRANGER = ZMQ.Curve.generateKeyPair();
        static final String URL = hubUrl(freePort(), freePort());
        static final ZeroMqHub RUNNING = start();

        private CurveHub() {
        }

        private static ZeroMqHub start() {
            ZeroMqHub hub = ZeroMqHub.start(URL, Map.of("curvePublicKey", HUB.publicKey, "curveSecretKey", HUB.secretKey,
                    "curveClients", CLIENT.publicKey));
            Runtime.getRuntime().addShutdownHook(new Thread(hub::close, "zeromq-curve-hub-stop"));
            return hub;
        }

        /** A URL of the hub for a key pair, knowing the hub's key; Z85 keys use characters a URL must escape. */
        static String url(ZMQ.Curve.KeyPair pair, String connectTimeout) {
            return URL + "&connectTimeout=" + connectTimeout + "&curveServerKey=" + URLEncoder.encode(HUB.publicKey, StandardCharsets.UTF_8)
                    + "&curvePublicKey=" + URLEncoder.encode(pair.publicKey, StandardCharsets.UTF_8)
                    + "&curveSecretKey=" + URLEncoder.encode(pair.secretKey, StandardCharsets.UTF_8);
        }
    }
}
