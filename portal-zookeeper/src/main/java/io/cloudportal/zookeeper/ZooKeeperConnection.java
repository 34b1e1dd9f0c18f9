package io.cloudportal.zookeeper;

import io.cloudportal.ConnectionState;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.registry.Registry;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.SessionState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One CuratorFramework and the session state every handle of this connection follows. Curator's
 * states map onto Portal's: LOST becomes EXPIRED (Curator then opens a new session, reported as
 * RECONNECTED).
 */
final class ZooKeeperConnection implements DriverConnection {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperConnection.class);

    private final CuratorFramework client;
    /** Curator 5.9 does not stop the executor it makes for runSafe() when it closes, so Portal brings its own. */
    private final java.util.concurrent.ExecutorService runSafe;
    /** Where a lock attempt runs, so that the caller's timeout bounds it and an abandoned attempt can clean up after itself. */
    private final java.util.concurrent.ExecutorService calls;
    private final CallWatchdog watchdog;
    private final SessionClock sessionClock;
    private final DriverContext context;
    private final ZooKeeperSettings settings;
    /** The driver's own reactions (locks lost, watches re-synced) run before user listeners hear of a transition. */
    private final SessionState session;
    private final ZooKeeperRegistry registry;
    private final ZooKeeperKvStore kvStore;

    private ZooKeeperConnection(CuratorFramework client, java.util.concurrent.ExecutorService runSafe, DriverContext context,
                                ZooKeeperSettings settings) {
        this.client = client;
        this.runSafe = runSafe;
        this.calls = java.util.concurrent.Executors.newCachedThreadPool(context.threadFactory("call"));
        this.watchdog = new CallWatchdog(context.threadFactory("call-watchdog"));
        this.sessionClock = new SessionClock(client, settings.sessionTimeout().toMillis(), context.threadFactory("session-clock"));
        this.context = context;
        this.settings = settings;
        this.session = new SessionState("the ZooKeeper session of " + context.connectionId());
        this.registry = new ZooKeeperRegistry(this);
        this.kvStore = new ZooKeeperKvStore(this);
        client.getConnectionStateListenable().addListener((c, newState) -> session.moveTo(map(newState)));
    }

    static ZooKeeperConnection open(ZooKeeperSettings settings, DriverContext context) {
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(settings.connectString())
                .sessionTimeoutMs((int) settings.sessionTimeout().toMillis())
                .connectionTimeoutMs((int) settings.connectionTimeout().toMillis())
                .retryPolicy(new ExponentialBackoffRetry((int) settings.retryBaseSleep().toMillis(), settings.maxRetries(),
                        (int) settings.retryMaxSleep().toMillis()))
                .threadFactory(context.threadFactory("curator"));
        builder.zkClientConfig(clientConfig());
        java.util.concurrent.ExecutorService runSafe = java.util.concurrent.Executors.newSingleThreadExecutor(
                context.threadFactory("curator-safe"));
        builder.runSafeService(runSafe);
        if (!settings.namespace().isEmpty()) {
            builder.namespace(settings.namespace());
        }
        if (settings.user().isPresent()) {
            builder.authorization("digest", (settings.user().get() + ":" + settings.password().orElseThrow()).getBytes(StandardCharsets.UTF_8))
                    .aclProvider(new CreatorOnly());
        }
        CuratorFramework client = builder.build();
        client.start();
        try {
            if (!client.blockUntilConnected((int) settings.connectionTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                client.close();
                runSafe.shutdownNow();
                throw new UnavailableException("cannot reach ZooKeeper at " + context.url() + " within " + settings.connectionTimeout()
                        + " (option connectionTimeout)");
            }
        } catch (InterruptedException e) {
            client.close();
            runSafe.shutdownNow();
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while connecting to ZooKeeper at " + context.url(), e);
        }
        return new ZooKeeperConnection(client, runSafe, context, settings);
    }

    /** A KV snapshot is one reply of at most this many bytes; ZooKeeper's client refuses larger ones by dropping the connection. */
    static final int MIN_REPLY_BYTES = 64 * 1024 * 1024;

    /**
     * ZooKeeper's own client configuration (system properties included, as without one), with room
     * for a KV snapshot's reply: one read-only multi of many keys of up to 1 MiB each, which the
     * default {@code jute.maxbuffer} of 1 MiB would cut. It bounds what this client accepts, not
     * what it allocates, nor what the server accepts.
     */
    private static ZKClientConfig clientConfig() {
        ZKClientConfig config = new ZKClientConfig();
        if (config.getInt(ZKConfig.JUTE_MAXBUFFER, ZKClientConfig.CLIENT_MAX_PACKET_LENGTH_DEFAULT) < MIN_REPLY_BYTES) {
            config.setProperty(ZKConfig.JUTE_MAXBUFFER, Integer.toString(MIN_REPLY_BYTES));
        }
        return config;
    }

    CuratorFramework client() {
        return client;
    }

    DriverContext context() {
        return context;
    }

    ZooKeeperSettings settings() {
        return settings;
    }

    /** Adds a reaction of the driver itself; it runs on Curator's state thread, so it must not block. */
    AutoCloseable onState(Consumer<ConnectionState> reaction) {
        return session.react(reaction);
    }

    private static ConnectionState map(org.apache.curator.framework.state.ConnectionState curator) {
        return switch (curator) {
            case CONNECTED -> ConnectionState.CONNECTED;
            case SUSPENDED, READ_ONLY -> ConnectionState.SUSPENDED;
            case RECONNECTED -> ConnectionState.RECONNECTED;
            case LOST -> ConnectionState.EXPIRED;
        };
    }

    boolean isConnected() {
        return client.getZookeeperClient().isConnected();
    }

    @Override
    public Registry registry() {
        return registry;
    }

    @Override
    public Lock lock(String name) {
        return new ZooKeeperLock(this, name);
    }

    @Override
    public Lock semaphore(String name, int permits) {
        return ZooKeeperLock.semaphore(this, name, permits);
    }

    @Override
    public io.cloudportal.spi.CounterCell counter(String name) {
        return new ZooKeeperCounter(this, name);
    }

    @Override
    public io.cloudportal.spi.LatchCell countDownLatch(String name) {
        return new ZooKeeperCountDownLatch(this, name);
    }

    @Override
    public io.cloudportal.spi.BarrierCell barrier(String name) {
        return new ZooKeeperBarrier(this, name);
    }

    @Override
    public io.cloudportal.spi.DoubleBarrierCell doubleBarrier(String name) {
        return new ZooKeeperDoubleBarrier(this, name);
    }

    @Override
    public io.cloudportal.spi.ReadWriteLocks readWriteLock(String name) {
        return ZooKeeperLock.readWriteLock(this, name);
    }

    @Override
    public LeaderElection leaderElection(String name) {
        return new ZooKeeperLeaderElection(this, name);
    }

    @Override
    public KvStore kvStore() {
        return kvStore;
    }

    @Override
    public SessionState sessionState() {
        return session;
    }

    /** Until when the server keeps the session at the least, on {@link System#nanoTime()}'s clock ({@link SessionClock}). */
    long sessionValidUntil() {
        return sessionClock.validUntil();
    }

    java.util.concurrent.ExecutorService calls() {
        return calls;
    }

    /**
     * Runs a blocking call to ZooKeeper, on the calling thread, within the operation timeout. A call
     * still running then is interrupted and the caller gets a {@link PortalTimeoutException}: a
     * write may or may not have been applied.
     */
    <T> T bounded(String operation, java.util.concurrent.Callable<T> call) {
        return watchdog.call(operation, context.operationTimeout(), call);
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(client) ? Optional.of(type.cast(client)) : Optional.empty();
    }

    @Override
    public void close() {
        registry.close();
        kvStore.close();
        calls.shutdownNow();
        watchdog.close();
        sessionClock.close();
        client.close();
        runSafe.shutdown();
        session.close();
    }

    /** With digest credentials, what this connection creates is readable and writable by that user only. */
    private static final class CreatorOnly implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }
    }
}
