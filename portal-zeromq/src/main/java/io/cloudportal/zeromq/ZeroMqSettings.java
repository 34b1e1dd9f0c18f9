package io.cloudportal.zeromq;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalUrl;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.zeromq.ZMQ;

/**
 * Where a connection meets the others (a Portal hub: one port publishers send to, one subscribers
 * receive from) and how its sockets behave, read and checked once from the URL and options.
 *
 * @param inprocName the hub's name for {@code zeromq+inproc://name}, or empty for tcp
 * @param host the hub's host (tcp)
 * @param publisherPort the port publishers send to (the URL's port)
 * @param subscriberPort the port subscribers receive from ({@code subscriberPort}, the URL's port + 1 by default)
 * @param bind whether this connection runs the hub itself, bound to those ports
 * @param sendHighWaterMark messages a socket queues towards one peer before it blocks (publisher) or drops (hub)
 * @param receiveHighWaterMark messages a socket queues from one peer before the peer's sends block or drop
 * @param maxBlock how long a publish waits while the send high-water mark is reached
 * @param connectTimeout how long opening a connection, a publisher or a subscription waits for the hub's answer
 * @param heartbeatTimeout silence from the hub after which the connection is SUSPENDED
 * @param curve CURVE keys, or empty for plain tcp
 */
record ZeroMqSettings(Optional<String> inprocName, String host, int publisherPort, int subscriberPort, boolean bind,
                      int sendHighWaterMark, int receiveHighWaterMark, Duration maxBlock, Duration connectTimeout,
                      Duration heartbeatTimeout, Optional<CurveKeys> curve) {

    static final String TCP_SCHEME = "zeromq";
    static final String INPROC_SCHEME = "zeromq+inproc";

    static final Set<String> OPTIONS = Set.of("bind", "subscriberPort", "sendHighWaterMark", "receiveHighWaterMark", "maxBlock",
            "connectTimeout", "heartbeatTimeout", "curveServerKey", "curvePublicKey", "curveSecretKey", "curveClients");

    static final int DEFAULT_HIGH_WATER_MARK = 10_000;
    private static final int MAX_HIGH_WATER_MARK = 10_000_000;

    static ZeroMqSettings from(PortalUrl url, Options options) {
        if (!url.path().isEmpty()) {
            throw new ConfigurationException("a ZeroMQ URL has no path: '/" + url.path() + "' in " + url + "; topics are named per message");
        }
        if (url.hosts().size() != 1) {
            throw new ConfigurationException(url + " names " + url.hosts().size() + " hosts: a ZeroMQ URL names one hub,"
                    + " zeromq://host:port or zeromq+inproc://name");
        }
        String authority = url.hosts().get(0);
        int sendHwm = options.integer("sendHighWaterMark", DEFAULT_HIGH_WATER_MARK, 1, MAX_HIGH_WATER_MARK);
        int receiveHwm = options.integer("receiveHighWaterMark", DEFAULT_HIGH_WATER_MARK, 1, MAX_HIGH_WATER_MARK);
        Duration maxBlock = options.duration("maxBlock", Duration.ofSeconds(10));
        Duration connectTimeout = options.duration("connectTimeout", Duration.ofSeconds(10));
        Duration heartbeatTimeout = options.duration("heartbeatTimeout", Duration.ofSeconds(3));
        if (heartbeatTimeout.compareTo(ZeroMqHub.HEARTBEAT_INTERVAL.multipliedBy(2)) < 0) {
            throw new ConfigurationException("option 'heartbeatTimeout' = " + heartbeatTimeout + " must be at least "
                    + ZeroMqHub.HEARTBEAT_INTERVAL.multipliedBy(2) + ": the hub sends a heartbeat every " + ZeroMqHub.HEARTBEAT_INTERVAL);
        }
        boolean bind = options.bool("bind", false);
        if (url.scheme().equals(INPROC_SCHEME)) {
            if (!authority.matches("[A-Za-z0-9._-]+")) {
                throw new ConfigurationException("hub name '" + authority + "' in " + url + " must use only letters, digits, '.', '_' and '-'");
            }
            for (String tcpOnly : Set.of("bind", "subscriberPort", "curveServerKey", "curvePublicKey", "curveSecretKey", "curveClients")) {
                if (options.get(tcpOnly).isPresent()) {
                    throw new ConfigurationException("option '" + tcpOnly + "' applies to zeromq:// (tcp) only: an inproc hub lives in"
                            + " this JVM and starts with its first connection");
                }
            }
            return new ZeroMqSettings(Optional.of(authority), "", 0, 0, false, sendHwm, receiveHwm, maxBlock, connectTimeout,
                    heartbeatTimeout, Optional.empty());
        }
        int colon = authority.lastIndexOf(':');
        if (colon <= 0 || colon == authority.length() - 1 || !authority.substring(colon + 1).matches("[0-9]{1,5}")) {
            throw new ConfigurationException("host '" + authority + "' in " + url + " is not host:port; the port is where"
                    + " publishers reach the hub (subscribers use the next port, or option 'subscriberPort')");
        }
        String host = authority.substring(0, colon);
        int port = port("port", Integer.parseInt(authority.substring(colon + 1)), url);
        int subscriberPort = options.integer("subscriberPort", port + 1, 1, 65_535);
        if (subscriberPort == port) {
            throw new ConfigurationException("option 'subscriberPort' = " + subscriberPort + " must differ from the URL's port " + port
                    + ": the hub binds one port for publishers and one for subscribers");
        }
        return new ZeroMqSettings(Optional.empty(), host, port, subscriberPort, bind, sendHwm, receiveHwm, maxBlock, connectTimeout,
                heartbeatTimeout, CurveKeys.from(options, bind));
    }

    private static int port(String what, int port, PortalUrl url) {
        if (port < 1 || port > 65_535) {
            throw new ConfigurationException(what + " " + port + " in " + url + " must be between 1 and 65535");
        }
        return port;
    }

    boolean inproc() {
        return inprocName.isPresent();
    }

    /** The hub host as a client dials it: a wildcard bind address means this machine. */
    private String dialHost() {
        return host.equals("0.0.0.0") || host.equals("*") ? "127.0.0.1" : host.equals("[::]") ? "[::1]" : host;
    }

    String publisherEndpoint() {
        return inprocName.map(name -> "inproc://portal-hub-" + name + "-in").orElse("tcp://" + dialHost() + ":" + publisherPort);
    }

    String subscriberEndpoint() {
        return inprocName.map(name -> "inproc://portal-hub-" + name + "-out").orElse("tcp://" + dialHost() + ":" + subscriberPort);
    }

    String publisherBindEndpoint() {
        return inprocName.map(name -> "inproc://portal-hub-" + name + "-in").orElse("tcp://" + bindHost() + ":" + publisherPort);
    }

    String subscriberBindEndpoint() {
        return inprocName.map(name -> "inproc://portal-hub-" + name + "-out").orElse("tcp://" + bindHost() + ":" + subscriberPort);
    }

    private String bindHost() {
        return host.equals("0.0.0.0") ? "*" : host;
    }

    /** Where the hub is, for messages: never a key. */
    String hubDescription() {
        return inprocName.map(name -> "inproc hub '" + name + "'")
                .orElse("hub at " + dialHost() + ":" + publisherPort + " (subscribers: " + subscriberPort + ")");
    }

    @Override
    public String toString() {
        return "ZeroMqSettings[" + hubDescription() + ", bind=" + bind + ", sendHighWaterMark=" + sendHighWaterMark
                + ", receiveHighWaterMark=" + receiveHighWaterMark + ", maxBlock=" + maxBlock + ", connectTimeout=" + connectTimeout
                + ", heartbeatTimeout=" + heartbeatTimeout + ", curve=" + curve.isPresent() + "]";
    }

    /**
     * CURVE keys, 32 bytes each (given in Z85, 40 characters). A client needs the hub's public key
     * and has a key pair of its own (generated when none is given); a hub has the server key pair
     * and, optionally, the client public keys it admits.
     *
     * @param serverKey the hub's public key
     * @param publicKey this side's public key
     * @param secretKey this side's secret key
     * @param allowedClients the client public keys a hub admits (Z85), or empty to admit any client that knows the hub's key
     */
    record CurveKeys(byte[] serverKey, byte[] publicKey, byte[] secretKey, Set<String> allowedClients) {

        static Optional<CurveKeys> from(Options options, boolean hub) {
            Optional<String> server = options.get("curveServerKey");
            Optional<String> publicKey = options.get("curvePublicKey");
            Optional<String> secretKey = options.get("curveSecretKey");
            Optional<String> clients = options.get("curveClients");
            if (server.isEmpty() && publicKey.isEmpty() && secretKey.isEmpty() && clients.isEmpty()) {
                return Optional.empty();
            }
            Set<String> allowed = clients.map(list -> Arrays.stream(list.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .peek(key -> decode("curveClients", key)).collect(Collectors.toUnmodifiableSet())).orElse(Set.of());
            if (hub) {
                if (publicKey.isEmpty() || secretKey.isEmpty()) {
                    throw new ConfigurationException("a hub with CURVE (bind=true) needs options 'curvePublicKey' and 'curveSecretKey',"
                            + " its key pair; clients then set 'curveServerKey' to that public key");
                }
                byte[] pub = decode("curvePublicKey", publicKey.get());
                return Optional.of(new CurveKeys(pub, pub, decode("curveSecretKey", secretKey.get()), allowed));
            }
            if (server.isEmpty()) {
                throw new ConfigurationException("CURVE keys were given but not option 'curveServerKey', the hub's public key,"
                        + " which a client needs to reach a CURVE hub");
            }
            if (!allowed.isEmpty()) {
                throw new ConfigurationException("option 'curveClients' applies to a hub (bind=true) only");
            }
            if (publicKey.isPresent() != secretKey.isPresent()) {
                throw new ConfigurationException("options 'curvePublicKey' and 'curveSecretKey' go together: give both, or neither"
                        + " for a key pair generated for this connection");
            }
            if (publicKey.isEmpty()) {
                ZMQ.Curve.KeyPair pair = ZMQ.Curve.generateKeyPair();
                return Optional.of(new CurveKeys(decode("curveServerKey", server.get()), ZMQ.Curve.z85Decode(pair.publicKey),
                        ZMQ.Curve.z85Decode(pair.secretKey), Set.of()));
            }
            return Optional.of(new CurveKeys(decode("curveServerKey", server.get()), decode("curvePublicKey", publicKey.get()),
                    decode("curveSecretKey", secretKey.get()), Set.of()));
        }

        private static byte[] decode(String option, String z85) {
            String key = z85.strip();
            if (key.length() != 40) {
                throw new ConfigurationException("option '" + option + "' must be a CURVE key in Z85, 40 characters (it has "
                        + key.length() + "); ZMQ.Curve.generateKeyPair() makes a pair");
            }
            try {
                byte[] bytes = ZMQ.Curve.z85Decode(key);
                if (bytes == null || bytes.length != 32) {
                    throw new IllegalArgumentException("not 32 bytes");
                }
                return bytes;
            } catch (RuntimeException e) {
                throw new ConfigurationException("option '" + option + "' is not a Z85-encoded CURVE key", e);
            }
        }

        @Override
        public String toString() {
            return "CurveKeys[serverKey=" + ZMQ.Curve.z85Encode(serverKey) + ", publicKey=" + ZMQ.Curve.z85Encode(publicKey)
                    + ", secretKey=****, allowedClients=" + allowedClients.size() + "]";
        }
    }
}
