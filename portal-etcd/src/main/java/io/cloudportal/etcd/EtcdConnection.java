package io.cloudportal.etcd;

import io.cloudportal.ConfigurationException;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.registry.Registry;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.SessionState;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One jetcd {@link Client}, the session lease its ephemeral keys hang on, and the key layout
 * under the URL's path: {@code <root>/kv/…}, {@code <root>/locks/<name>/…},
 * {@code <root>/elections/<name>/…} and {@code <root>/services/<service>/<id>}.
 */
final class EtcdConnection implements DriverConnection {

    private final Client client;
    private final DriverContext context;
    private final EtcdSettings settings;
    private final ScheduledExecutorService scheduler;
    private final EtcdSession session;
    private final EtcdRegistry registry;
    private final EtcdKvStore kvStore;
    /** One queue (and, while anyone waits, one watch) per lock or election name, whatever the number of handles. */
    private final java.util.Map<String, KeyQueue> queues = new java.util.concurrent.ConcurrentHashMap<>();

    private EtcdConnection(Client client, DriverContext context, EtcdSettings settings, ScheduledExecutorService scheduler,
                           EtcdSession session) {
        this.client = client;
        this.context = context;
        this.settings = settings;
        this.scheduler = scheduler;
        this.session = session;
        this.registry = new EtcdRegistry(this);
        this.kvStore = new EtcdKvStore(this);
    }

    static EtcdConnection open(EtcdSettings settings, DriverContext context) {
        ClientBuilder builder = Client.builder()
                .endpoints(settings.endpoints().toArray(String[]::new))
                .connectTimeout(settings.connectTimeout())
                // HTTP/2 pings find a half-open channel (a silent network) without waiting for a call to
                // fail; etcd refuses pings more often than every 5 s.
                .keepaliveTime(Duration.ofSeconds(10))
                .keepaliveTimeout(Duration.ofSeconds(5));
        settings.user().ifPresent(user -> builder.user(bytes(user)));
        settings.password().ifPresent(password -> builder.password(bytes(password)));
        if (settings.tlsCa().isPresent() || settings.tlsCert().isPresent()) {
            try {
                builder.sslContext(ssl -> {
                    settings.tlsCa().ifPresent(ca -> ssl.trustManager(ca.toFile()));
                    settings.tlsCert().ifPresent(cert -> ssl.keyManager(cert.toFile(), settings.tlsKey().orElseThrow().toFile()));
                });
            } catch (Exception e) {
                throw new ConfigurationException("the TLS material (options tlsCa, tlsCert, tlsKey) cannot be used: " + e.getMessage(), e);
            }
        }
        Client client = builder.build();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(context.threadFactory("etcd-session"));
        try {
            EtcdSession session = EtcdSession.open(client, settings, scheduler, context.connectionId(), context.url().toString(),
                    context.observer());
            return new EtcdConnection(client, context, settings, scheduler, session);
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            client.close();
            throw e;
        }
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    Client client() {
        return client;
    }

    EtcdSession session() {
        return session;
    }

    /**
     * Runs a task of the driver on the session thread after a delay; nothing runs once the
     * connection is closing (jetcd's own close calls back into the driver, which would otherwise
     * schedule on a stopped executor).
     */
    java.util.Optional<java.util.concurrent.ScheduledFuture<?>> schedule(Runnable task, long delayMillis) {
        try {
            return java.util.Optional.of(scheduler.schedule(task, delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            return java.util.Optional.empty();
        }
    }

    Duration timeout() {
        return context.operationTimeout();
    }

    io.cloudportal.observation.PortalObserver observer() {
        return context.observer();
    }

    /** The etcd key of a path under this connection's root, e.g. {@code locks/orders/}. */
    String key(String path) {
        return settings.root() + "/" + path;
    }

    KeyQueue queue(String prefix) {
        return queues.computeIfAbsent(prefix, p -> new KeyQueue(this, p));
    }

    /**
     * Waits until a key changes after a revision already read, or {@code maxNanos} pass (at most a
     * second, so a watch a reconnect dropped costs little); the caller reads again either way.
     */
    void awaitChange(ByteSequence key, long readAtRevision, long maxNanos) throws InterruptedException {
        awaitChange(key, false, readAtRevision, maxNanos);
    }

    /** As {@link #awaitChange(ByteSequence, long, long)}, for any key under a prefix. */
    void awaitChangeUnder(ByteSequence prefix, long readAtRevision, long maxNanos) throws InterruptedException {
        awaitChange(prefix, true, readAtRevision, maxNanos);
    }

    private void awaitChange(ByteSequence key, boolean prefix, long readAtRevision, long maxNanos) throws InterruptedException {
        java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
        try (io.etcd.jetcd.Watch.Watcher ignored = client().getWatchClient().watch(key,
                io.etcd.jetcd.options.WatchOption.builder().isPrefix(prefix).withRevision(readAtRevision + 1).build(), response -> changed.countDown(),
                error -> changed.countDown())) {
            changed.await(Math.min(maxNanos, java.util.concurrent.TimeUnit.SECONDS.toNanos(1)), java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    <T> T await(String operation, CompletableFuture<T> call) {
        return EtcdErrors.await(operation, call, timeout());
    }

    @Override
    public Registry registry() {
        return registry;
    }

    @Override
    public Lock lock(String name) {
        return new EtcdLock(this, name);
    }

    @Override
    public Lock semaphore(String name, int permits) {
        return EtcdLock.semaphore(this, name, permits);
    }

    @Override
    public io.cloudportal.spi.CounterCell counter(String name) {
        return new EtcdCounter(this, name);
    }

    @Override
    public io.cloudportal.spi.LatchCell countDownLatch(String name) {
        return new EtcdCountDownLatch(this, name);
    }

    @Override
    public io.cloudportal.spi.BarrierCell barrier(String name) {
        return new EtcdBarrier(this, name);
    }

    @Override
    public io.cloudportal.spi.DoubleBarrierCell doubleBarrier(String name) {
        return new EtcdDoubleBarrier(this, name);
    }

    @Override
    public io.cloudportal.spi.ReadWriteLocks readWriteLock(String name) {
        return EtcdLock.readWriteLock(this, name);
    }

    @Override
    public LeaderElection leaderElection(String name) {
        return new EtcdLeaderElection(this, name);
    }

    @Override
    public KvStore kvStore() {
        return kvStore;
    }

    @Override
    public SessionState sessionState() {
        return session.states();
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type.isInstance(client)) {
            return Optional.of(type.cast(client));
        }
        // The session is package-private: only this driver's own tests can ask for it.
        return type == EtcdSession.class ? Optional.of(type.cast(session)) : Optional.empty();
    }

    @Override
    public void close() {
        registry.close();
        kvStore.close();
        session.close();
        scheduler.shutdownNow();
        client.close();
    }
}
