package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.broker.BrokerController;
import org.apache.rocketmq.auth.config.AuthConfig;
import org.apache.rocketmq.common.BrokerConfig;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.store.config.MessageStoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RocketMQ in this JVM: one NameServer and one broker from {@code rocketmq-namesrv} and
 * {@code rocketmq-broker} (which this module declares optional: add both next to
 * {@code portal-embedded} to use this class), with small commit-log files and the store in a
 * temporary directory. Topics and subscription groups are created on first use.
 *
 * <p>{@link #restart()} restarts the broker only, on the same store and ports: the NameServer
 * keeps running, so clients keep their address and find the broker again. A start that fails
 * throws; nothing here exits the JVM. Stopping a broker takes several seconds, so share one per
 * test JVM.
 */
public final class EmbeddedRocketMq implements EmbeddedServer {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRocketMq.class);
    private static final String CLUSTER = "PortalCluster";
    private static final String BROKER = "portal-broker";
    private static final Duration REGISTRATION_TIMEOUT = Duration.ofSeconds(30);
    /** Where a proxied broker is advertised: a second loopback address, since the port must stay the broker's. */
    private static final String PROXY_HOST = "127.0.0.2";

    /**
     * Every thread the NameServer and broker start belongs to this group: they are started from a
     * thread in it, and RocketMQ's and Netty's thread factories put new threads in their creator's
     * group. Tests tell the server's threads from the client's by it (their names overlap).
     */
    private static final ThreadGroup SERVER_THREADS = new ThreadGroup("portal-rocketmq-server");

    private final Path home;
    /** With authentication: the super user's access key and secret key; null without. */
    private String[] credentials;
    private int nameServerPort;
    private int brokerPort;
    private int haPort;
    private NamesrvController nameServer;
    private BrokerController broker;
    /** Whether clients should reach the broker through {@link #proxy}. */
    private boolean proxied;
    /** In front of the broker when proxied: listens on 127.0.0.2 and the broker's port, which the broker advertises. */
    private LoopbackProxy proxy;

    /** Prepares a NameServer and a broker in a new temporary directory; call {@link #start()}. */
    public EmbeddedRocketMq() {
        try {
            home = Files.createTempDirectory("portal-rocketmq-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for RocketMQ", e);
        }
    }

    /**
     * Starts a RocketMQ for tests: the one named by {@code PORTAL_TEST_ROCKETMQ_URL}, or one in this JVM.
     *
     * @return the running server
     */
    public static EmbeddedServer startForTests() {
        return EmbeddedServers.start(new EmbeddedServers.Spec("rocketmq", EmbeddedRocketMq::new, EmbeddedRocketMq::onClasspath,
                "RocketMQ runs in the JVM and needs org.apache.rocketmq:rocketmq-broker and rocketmq-namesrv on the classpath",
                Optional.empty()));
    }

    /**
     * Starts a RocketMQ for tests whose clients reach the broker through a {@link LoopbackProxy}
     * (see {@link #withProxiedBroker()}), or the one named by {@code PORTAL_TEST_ROCKETMQ_URL}.
     *
     * @return the running server
     */
    public static EmbeddedServer startProxiedForTests() {
        return EmbeddedServers.start(new EmbeddedServers.Spec("rocketmq", EmbeddedRocketMq::withProxiedBroker, EmbeddedRocketMq::onClasspath,
                "RocketMQ runs in the JVM and needs org.apache.rocketmq:rocketmq-broker and rocketmq-namesrv on the classpath",
                Optional.empty()));
    }

    /**
     * Prepares a NameServer and a broker whose clients reach the broker only through a proxy, so a
     * test can cut every client's broker connection: clients learn the broker's address from the
     * NameServer, and the broker advertises {@code brokerIP1:listenPort} with no way to name another
     * port, so the broker binds 127.0.0.1, advertises 127.0.0.2 on the same port, and the proxy
     * listens there. Where 127.0.0.2 cannot be bound (it can on Linux) the broker is not proxied and
     * {@link #proxy()} is empty. Call {@link #start()}.
     *
     * @return the servers
     */
    public static EmbeddedRocketMq withProxiedBroker() {
        EmbeddedRocketMq servers = new EmbeddedRocketMq();
        servers.proxied = true;
        return servers;
    }

    /**
     * The proxy in front of the broker of servers made by {@link #withProxiedBroker()}.
     *
     * @return the proxy, or empty when not proxied or 127.0.0.2 could not be bound
     */
    public synchronized Optional<LoopbackProxy> proxy() {
        return Optional.ofNullable(proxy);
    }

    private static boolean onClasspath() {
        try {
            Class.forName("org.apache.rocketmq.broker.BrokerController", false, EmbeddedRocketMq.class.getClassLoader());
            Class.forName("org.apache.rocketmq.namesrv.NamesrvController", false, EmbeddedRocketMq.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Override
    public synchronized String url() {
        return "rocketmq://" + nameServerAddress();
    }

    /**
     * The NameServer's address, as raw RocketMQ clients take it.
     *
     * @return {@code 127.0.0.1:port}
     */
    public synchronized String nameServerAddress() {
        if (nameServer == null) {
            throw new IllegalStateException("RocketMQ has not been started");
        }
        return "127.0.0.1:" + nameServerPort;
    }

    @Override
    public synchronized void start() {
        if (broker != null) {
            throw new IllegalStateException("RocketMQ is running already");
        }
        // The broker and the clients in this JVM read their protocol version from this property; unset, a broker
        // started in-process answers with a version the 5.x clients treat as too old for some requests.
        System.setProperty(RemotingCommand.REMOTING_VERSION_KEY, Integer.toString(MQVersion.CURRENT_VERSION));
        try {
            inServerThreadGroup(() -> {
                if (nameServer == null) {
                    startNameServer();
                    brokerPort = portWithFreePortTwoBelow();
                    haPort = FreePorts.next();
                    if (proxied) {
                        proxy = proxyInFrontOfBroker();
                    }
                }
                startBroker();
            });
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
    }

    private static void inServerThreadGroup(Runnable action) {
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread starter = new Thread(SERVER_THREADS, () -> {
            try {
                action.run();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        }, "rocketmq-starter");
        starter.start();
        try {
            starter.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting RocketMQ", e);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * Tells whether a thread is one of the NameServer's or the broker's (of any instance of this
     * class), for tests that check a client left no thread running.
     *
     * @param thread a live thread
     * @return true if RocketMQ's server side started it
     */
    public static boolean isServerThread(Thread thread) {
        for (ThreadGroup group = thread.getThreadGroup(); group != null; group = group.getParent()) {
            if (group == SERVER_THREADS) {
                return true;
            }
        }
        return false;
    }

    private void startNameServer() {
        nameServerPort = FreePorts.next();
        NamesrvConfig config = new NamesrvConfig();
        config.setRocketmqHome(home.toString());
        config.setKvConfigPath(home.resolve("namesrv/kvConfig.json").toString());
        config.setConfigStorePath(home.resolve("namesrv/namesrv.properties").toString());
        NettyServerConfig server = new NettyServerConfig();
        server.setListenPort(nameServerPort);
        server.setBindAddress("127.0.0.1");
        NamesrvController controller = new NamesrvController(config, server, new NettyClientConfig());
        if (!controller.initialize()) {
            controller.shutdown();
            throw new IllegalStateException("the RocketMQ NameServer did not initialize on port " + nameServerPort);
        }
        try {
            controller.start();
        } catch (Exception e) {
            controller.shutdown();
            throw new IllegalStateException("the RocketMQ NameServer did not start on port " + nameServerPort, e);
        }
        nameServer = controller;
    }

    /**
     * Prepares a NameServer and a broker that authenticate every client (RocketMQ's ACL 2.0, users in
     * the broker's store): the one user is a super user with these credentials, which clients give
     * as access key and secret key. Call {@link #start()}.
     *
     * @param accessKey the user name
     * @param secretKey its password
     * @return the servers
     */
    public static EmbeddedRocketMq withAuthentication(String accessKey, String secretKey) {
        EmbeddedRocketMq servers = new EmbeddedRocketMq();
        servers.credentials = new String[] {accessKey, secretKey};
        return servers;
    }

    private AuthConfig authentication() {
        AuthConfig auth = new AuthConfig();
        auth.setConfigName("broker");
        auth.setClusterName(CLUSTER);
        auth.setAuthConfigPath(home.resolve("auth").toString());
        auth.setAuthenticationEnabled(true);
        auth.setAuthenticationProvider("org.apache.rocketmq.auth.authentication.provider.DefaultAuthenticationProvider");
        auth.setAuthenticationMetadataProvider("org.apache.rocketmq.auth.authentication.provider.LocalAuthenticationMetadataProvider");
        auth.setInitAuthenticationUser("{\"username\":\"" + credentials[0] + "\",\"password\":\"" + credentials[1] + "\",\"userType\":\"SUPER\"}");
        auth.setInnerClientAuthenticationCredentials("{\"accessKey\":\"" + credentials[0] + "\",\"secretKey\":\"" + credentials[1] + "\"}");
        return auth;
    }

    private void startBroker() {
        BrokerConfig config = new BrokerConfig();
        config.setRocketmqHome(home.toString());
        config.setBrokerClusterName(CLUSTER);
        config.setBrokerName(BROKER);
        config.setBrokerIP1(proxy == null ? "127.0.0.1" : PROXY_HOST);
        config.setNamesrvAddr("127.0.0.1:" + nameServerPort);
        config.setListenPort(brokerPort);
        config.setAutoCreateTopicEnable(true);
        config.setAutoCreateSubscriptionGroup(true);
        config.setEnablePropertyFilter(true);
        config.setFetchNameSrvAddrByDnsLookup(false);
        // The broker shares this JVM's cores with the tests: let a send wait longer in its queue before it answers "busy".
        config.setWaitTimeMillsInSendQueue(1_000);
        NettyServerConfig server = new NettyServerConfig();
        server.setListenPort(brokerPort);
        server.setBindAddress("127.0.0.1");
        MessageStoreConfig store = new MessageStoreConfig();
        Path storeRoot = home.resolve("store");
        store.setStorePathRootDir(storeRoot.toString());
        store.setStorePathCommitLog(storeRoot.resolve("commitlog").toString());
        store.setHaListenPort(haPort);
        // Small files: the default 1 GiB commit log and 6 MB consume queues would be mapped, and partly touched, at start.
        store.setMappedFileSizeCommitLog(32 * 1024 * 1024);
        store.setMappedFileSizeConsumeQueue(300_000 * 20 / 100);
        store.setMaxIndexNum(40_000);
        store.setMaxHashSlotNum(10_000);
        store.setMappedFileSizeTimerLog(4 * 1024 * 1024);
        // The timer wheel preallocates large files; the delay levels (which retries use) work without it.
        store.setTimerWheelEnable(false);
        store.setDiskMaxUsedSpaceRatio(95);
        BrokerController controller = credentials == null ? new BrokerController(config, server, new NettyClientConfig(), store)
                : new BrokerController(config, server, new NettyClientConfig(), store, authentication());
        try {
            if (!controller.initialize()) {
                controller.shutdown();
                throw new IllegalStateException("the RocketMQ broker did not initialize on port " + brokerPort + " (store " + storeRoot + ")");
            }
            controller.start();
        } catch (IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            controller.shutdown();
            throw new IllegalStateException("the RocketMQ broker did not start on port " + brokerPort, e);
        }
        broker = controller;
        awaitRegistration();
    }

    /** The broker registers in the background; clients need its route on the NameServer before their first call. */
    private void awaitRegistration() {
        long deadline = System.nanoTime() + REGISTRATION_TIMEOUT.toNanos();
        while (!registered()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the RocketMQ broker did not register with its NameServer within " + REGISTRATION_TIMEOUT);
            }
            broker.registerBrokerAll(true, false, true);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the RocketMQ broker to register", e);
            }
        }
    }

    private boolean registered() {
        var route = nameServer.getRouteInfoManager().pickupTopicRouteData("TBW102");
        return route != null && route.getBrokerDatas().stream().anyMatch(b -> BROKER.equals(b.getBrokerName()));
    }

    private LoopbackProxy proxyInFrontOfBroker() {
        try {
            return LoopbackProxy.at(PROXY_HOST, brokerPort, "127.0.0.1", brokerPort);
        } catch (UncheckedIOException e) {
            LOG.warn("No proxy in front of the RocketMQ broker ({}): its clients' connections cannot be cut", e.getMessage());
            return null;
        }
    }

    /** The broker also listens on its port minus 2 (its "VIP channel"), so both must be free. */
    private static int portWithFreePortTwoBelow() {
        for (int i = 0; i < 50; i++) {
            int port = FreePorts.next();
            if (port > 1026 && free(port - 2)) {
                return port;
            }
        }
        throw new IllegalStateException("no free loopback port p with p - 2 free as well");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the broker, keeping its store and ports; the NameServer keeps running. Idempotent. */
    @Override
    public synchronized void stop() {
        if (broker != null) {
            long started = System.nanoTime();
            broker.shutdown();
            broker = null;
            LOG.debug("RocketMQ broker stopped in {} ms", (System.nanoTime() - started) / 1_000_000);
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return broker != null;
    }

    @Override
    public boolean canInjectFaults() {
        return true;
    }

    @Override
    public synchronized void close() {
        stop();
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
        if (nameServer != null) {
            nameServer.shutdown();
            nameServer = null;
        }
        Files2.deleteRecursively(home);
    }

    @Override
    public String toString() {
        return "EmbeddedRocketMq[" + home + "]";
    }
}
