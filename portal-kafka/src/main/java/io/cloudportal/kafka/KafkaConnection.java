package io.cloudportal.kafka;

import io.cloudportal.ClosedException;
import io.cloudportal.ConfigurationException;
import io.cloudportal.UnavailableException;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.SessionState;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Kafka connection: an admin client (topic creation), a producer shared by the publisher and
 * the subscribers' dead-lettering, and the subscriber's consumers. Kafka clients reconnect on
 * their own and hold no session; the state says whether the cluster answers, probed once a
 * second with a metadata request (SUSPENDED when a probe fails, RECONNECTED when one succeeds again).
 */
final class KafkaConnection implements DriverConnection {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnection.class);
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(1);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    private final KafkaSettings settings;
    private final DriverContext context;
    private final Admin admin;
    private final KafkaTopics topics;
    private final Object producerLock = new Object();
    private volatile Producer<byte[], byte[]> producer;
    private volatile boolean closed;
    private final ScheduledExecutorService prober;
    private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final KafkaPublisher publisher = new KafkaPublisher(this);
    private final KafkaSubscriber subscriber = new KafkaSubscriber(this);
    private final SessionState session;

    private KafkaConnection(KafkaSettings settings, DriverContext context, Admin admin) {
        this.settings = settings;
        this.context = context;
        this.admin = admin;
        this.session = new SessionState("the Kafka connection " + context.connectionId());
        this.topics = new KafkaTopics(admin, settings);
        this.prober = Executors.newSingleThreadScheduledExecutor(context.threadFactory("kafka-probe"));
        prober.scheduleWithFixedDelay(this::probe, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void probe() {
        boolean answered;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) PROBE_TIMEOUT.toMillis())).clusterId()
                    .get(PROBE_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            answered = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            answered = false;
        }
        session.probed(answered, answered ? "Kafka at " + settings.bootstrapServers() + " answers again"
                : "no Kafka broker of " + settings.bootstrapServers() + " answers; clients keep retrying");
    }

    static KafkaConnection open(KafkaSettings settings, DriverContext context) {
        Admin admin;
        try {
            admin = Admin.create(settings.admin());
        } catch (KafkaException e) {
            throw new ConfigurationException("Kafka rejected the client settings: " + e.getMessage(), e);
        }
        Duration timeout = settings.connectTimeout();
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            admin.close(Duration.ZERO);
            if (e.getCause() instanceof AuthenticationException || e.getCause() instanceof AuthorizationException) {
                throw KafkaErrors.map("connecting to Kafka at " + settings.bootstrapServers(), e.getCause());
            }
            throw new UnavailableException("no Kafka broker of " + settings.bootstrapServers() + " answered within " + timeout
                    + " (option 'connectTimeout')" + (e instanceof ExecutionException ? ": " + e.getCause().getMessage() : ""), e);
        } catch (InterruptedException e) {
            admin.close(Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while connecting to Kafka at " + settings.bootstrapServers(), e);
        }
        LOG.debug("Connected to Kafka at {} ({})", settings.bootstrapServers(), settings);
        return new KafkaConnection(settings, context, admin);
    }

    KafkaSettings settings() {
        return settings;
    }

    DriverContext context() {
        return context;
    }

    Admin admin() {
        return admin;
    }

    KafkaTopics topics() {
        return topics;
    }

    /** The connection's producer, made on first use: a consumer-only connection never opens one. */
    Producer<byte[], byte[]> producer() {
        Producer<byte[], byte[]> current = producer;
        if (current != null) {
            return current;
        }
        synchronized (producerLock) {
            if (closed) {
                throw new ClosedException("the Kafka connection is closed");
            }
            if (producer == null) {
                try {
                    producer = new KafkaProducer<>(settings.producer());
                } catch (KafkaException e) {
                    throw new ConfigurationException("Kafka rejected the producer settings: " + e.getMessage(), e);
                }
            }
            return producer;
        }
    }

    @Override
    public DriverPublisher publisher() {
        return publisher;
    }

    @Override
    public DriverSubscriber subscriber() {
        return subscriber;
    }

    /** The subscriptions open on this connection, for this driver's tests. */
    Set<KafkaSubscription> openSubscriptions() {
        return subscriptions;
    }

    @Override
    public Optional<Limits> limits() {
        return Optional.of(KafkaDriver.LIMITS.withMaxPayloadBytes(settings.maxRequestSize()));
    }

    @Override
    public SessionState sessionState() {
        return session;
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == KafkaConnection.class) {
            // Package-private: only this driver's tests can name it.
            return Optional.of(type.cast(this));
        }
        if (type.isInstance(admin)) {
            return Optional.of(type.cast(admin));
        }
        if (type == Producer.class || type == KafkaProducer.class) {
            return Optional.of(type.cast(producer()));
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        Producer<byte[], byte[]> toClose;
        synchronized (producerLock) {
            closed = true;
            toClose = producer;
        }
        prober.shutdownNow();
        session.close();
        try {
            prober.awaitTermination(PROBE_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (toClose != null) {
            toClose.close(context.operationTimeout());
        }
        admin.close(context.operationTimeout());
    }
}
