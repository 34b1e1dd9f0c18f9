package io.cloudportal.zeromq;

import io.cloudportal.Capabilities;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import java.util.EnumSet;
import java.util.Set;

/**
 * The ZeroMQ driver on JeroMQ: brokerless publish/subscribe through a Portal hub
 * ({@link ZeroMqHub}), {@code zeromq://host:port} over tcp or {@code zeromq+inproc://name}
 * within one JVM.
 *
 * <p>What it gives, honestly: broadcast (every subscriber gets every message published after its
 * {@code subscribe} returned, while both sides live and no high-water mark is reached), per-key
 * order (one publisher's messages arrive in the order sent), and topics that need no creation.
 * What it does not: persistence, redelivery, dead-lettering and consumer groups — delivery is at
 * most once, and every drop a subscription can see is counted ({@link ZeroMqMetrics}).
 *
 * <p>Options: {@code bind} (false: true runs the hub in this connection, bound to the URL's host
 * and ports), {@code subscriberPort} (the URL's port + 1), {@code sendHighWaterMark} and
 * {@code receiveHighWaterMark} (10,000 messages per peer), {@code maxBlock} (10s: the longest a
 * publish waits while the queue to the hub is full), {@code connectTimeout} (10s),
 * {@code heartbeatTimeout} (3s of the hub's silence before SUSPENDED), and CURVE:
 * {@code curveServerKey} (the hub's public key), {@code curvePublicKey} and {@code curveSecretKey}
 * (this side's pair; a client without one gets a fresh pair), {@code curveClients} (a hub's admitted client keys).
 */
public final class ZeroMqDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Facility.PUBLISHER, Facility.SUBSCRIBER),
            EnumSet.of(Guarantee.BROADCAST, Guarantee.ORDER_PER_KEY, Guarantee.TOPIC_AUTO_CREATE));

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public ZeroMqDriver() {
    }

    @Override
    public String name() {
        return "zeromq";
    }

    @Override
    public Set<String> schemes() {
        return Set.of(ZeroMqSettings.TCP_SCHEME, ZeroMqSettings.INPROC_SCHEME);
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-zeromq";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return ZeroMqSettings.OPTIONS;
    }

    /** ZeroMQ has no rules of its own for topics or sizes: Portal's portable ones apply. */
    @Override
    public Limits limits() {
        return Limits.PORTABLE;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        return ZeroMqConnection.open(ZeroMqSettings.from(context.url(), context.options()), context);
    }
}
