package io.cloudportal.zeromq;

import io.cloudportal.Portal;
import io.cloudportal.tck.Fault;
import io.cloudportal.tck.TckHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Set;

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
}
