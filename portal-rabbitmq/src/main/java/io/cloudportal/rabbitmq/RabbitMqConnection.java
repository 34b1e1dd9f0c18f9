package io.cloudportal.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import io.cloudportal.AccessDeniedException;
import io.cloudportal.ClosedException;
import io.cloudportal.ConfigurationException;
import io.cloudportal.ConnectionState;
import io.cloudportal.UnavailableException;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.SessionState;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RabbitMQ connection with automatic connection and topology recovery (exchanges, queues,
 * bindings and consumers come back after the broker or the network did). Its state follows the
 * client's: SUSPENDED when the connection drops, RECONNECTED when recovery completed. Channels:
 * one for topology, one with confirms for the publisher (made on first use), one per subscription.
 */
final class RabbitMqConnection implements DriverConnection {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqConnection.class);

    private final RabbitMqSettings settings;
    private final DriverContext context;
    private final Connection connection;
    private final ExecutorService dispatch;
    private final ScheduledExecutorService timers;
    private final RabbitMqTopology topology;
    private final Set<RabbitMqSubscription> subscriptions = ConcurrentHashMap.newKeySet();
    private final RabbitMqSubscriber subscriber = new RabbitMqSubscriber(this);
    private final Object publisherLock = new Object();
    private RabbitMqPublisher publisher;
    private final SessionState session;
    private volatile boolean closed;

    private RabbitMqConnection(RabbitMqSettings settings, DriverContext context, Connection connection, ExecutorService dispatch) {
        this.settings = settings;
        this.context = context;
        this.connection = connection;
        this.dispatch = dispatch;
        this.session = new SessionState("the RabbitMQ connection " + context.connectionId());
        this.timers = Executors.newSingleThreadScheduledExecutor(context.threadFactory("rabbitmq-timer"));
        this.topology = new RabbitMqTopology(this);
        connection.addShutdownListener(cause -> {
            if (!cause.isInitiatedByApplication()) {
                session.moveTo(ConnectionState.SUSPENDED, "the connection to " + settings.brokers() + " dropped (" + cause.getMessage()
                        + "); recovering every " + settings.recoveryInterval());
            }
        });
        ((Recoverable) connection).addRecoveryListener(new RecoveryListener() {
            @Override
            public void handleRecovery(Recoverable recoverable) {
                session.moveTo(ConnectionState.RECONNECTED, "the connection to " + settings.brokers() + " recovered");
            }

            @Override
            public void handleRecoveryStarted(Recoverable recoverable) {
            }
        });
    }

    static RabbitMqConnection open(RabbitMqSettings settings, DriverContext context) {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setVirtualHost(settings.virtualHost());
        factory.setUsername(settings.user());
        factory.setPassword(settings.password());
        factory.setConnectionTimeout((int) settings.connectTimeout().toMillis());
        factory.setHandshakeTimeout((int) settings.connectTimeout().toMillis());
        factory.setRequestedHeartbeat((int) Math.max(1, settings.heartbeat().toSeconds()));
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(settings.recoveryInterval().toMillis());
        factory.setThreadFactory(context.threadFactory("rabbitmq"));
        factory.setChannelRpcTimeout((int) context.operationTimeout().toMillis());
        if (settings.tls()) {
            try {
                factory.useSslProtocol(sslContext(settings));
                factory.enableHostnameVerification();
            } catch (GeneralSecurityException | IOException e) {
                throw new ConfigurationException("no TLS available for amqps://: " + e.getMessage(), e);
            }
        }
        ExecutorService dispatch = Executors.newFixedThreadPool(2, context.threadFactory("rabbitmq-dispatch"));
        try {
            Connection connection = factory.newConnection(dispatch, Address.parseAddresses(String.join(",", settings.addresses())),
                    "portal-" + context.connectionId());
            LOG.debug("Connected to RabbitMQ at {} ({})", settings.brokers(), settings);
            return new RabbitMqConnection(settings, context, connection, dispatch);
        } catch (AuthenticationFailureException e) {
            dispatch.shutdownNow();
            throw new AccessDeniedException("RabbitMQ at " + settings.brokers() + " refused user '" + settings.user()
                    + "': check the user name and password (URL user-info, options 'user'/'password', or "
                    + RabbitMqSettings.USER_VARIABLE + "/" + RabbitMqSettings.PASSWORD_VARIABLE + ")", e);
        } catch (IOException | TimeoutException e) {
            dispatch.shutdownNow();
            if (refusedAccess(e)) {
                // The broker closes the connection with NOT_ALLOWED (530) when the user may not use the virtual host.
                throw new AccessDeniedException("RabbitMQ at " + settings.brokers() + " refused user '" + settings.user()
                        + "' access to virtual host '" + settings.virtualHost() + "': grant it with rabbitmqctl set_permissions", e);
            }
            throw new UnavailableException("no RabbitMQ broker of " + settings.brokers() + " answered within " + settings.connectTimeout()
                    + " (option 'connectTimeout'): " + e.getMessage(), e);
        }
    }

    /** The JVM's trust store, or the CAs of option 'tlsCa' (PEM). */
    private static SSLContext sslContext(RabbitMqSettings settings) throws GeneralSecurityException, IOException {
        if (settings.tlsCa().isEmpty()) {
            return SSLContext.getDefault();
        }
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(settings.tlsCa().get())) {
            int n = 0;
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("ca-" + n++, certificate);
            }
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    private static boolean refusedAccess(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof com.rabbitmq.client.ShutdownSignalException signal && signal.getReason() instanceof AMQP.Connection.Close close
                    && (close.getReplyCode() == AMQP.NOT_ALLOWED || close.getReplyCode() == AMQP.ACCESS_REFUSED)) {
                return true;
            }
        }
        return false;
    }

    RabbitMqSettings settings() {
        return settings;
    }

    DriverContext context() {
        return context;
    }

    RabbitMqTopology topology() {
        return topology;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    /** The subscriptions open on this connection, for tests that provoke a channel error. */
    Set<RabbitMqSubscription> subscriptions() {
        return subscriptions;
    }

    boolean isClosed() {
        return closed;
    }

    Channel createChannel() throws IOException {
        if (closed) {
            throw new ClosedException("the RabbitMQ connection is closed");
        }
        Channel channel = connection.createChannel();
        if (channel == null) {
            throw new UnavailableException("RabbitMQ at " + settings.brokers() + " has no channel left (channel_max reached)");
        }
        return channel;
    }

    /** The connection's confirming publisher, shared by every publisher handle and the subscriptions' dead-lettering. */
    RabbitMqPublisher sharedPublisher() {
        synchronized (publisherLock) {
            if (closed) {
                throw new ClosedException("the RabbitMQ connection is closed");
            }
            if (publisher == null) {
                publisher = RabbitMqPublisher.open(this);
            }
            return publisher;
        }
    }

    @Override
    public DriverPublisher publisher() {
        return sharedPublisher();
    }

    @Override
    public io.cloudportal.spi.DriverSubscriber subscriber() {
        return subscriber;
    }

    @Override
    public SessionState sessionState() {
        return session;
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type == RabbitMqConnection.class) {
            // Package-private: only the driver's own tests can name it.
            return Optional.of(type.cast(this));
        }
        if (type.isInstance(connection)) {
            return Optional.of(type.cast(connection));
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        RabbitMqPublisher toClose;
        synchronized (publisherLock) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = publisher;
        }
        session.close();
        if (toClose != null) {
            toClose.close();
        }
        topology.close();
        try {
            connection.close((int) context.operationTimeout().toMillis());
        } catch (IOException | RuntimeException e) {
            LOG.debug("Closing the RabbitMQ connection: {}", e.toString());
        }
        timers.shutdownNow();
        dispatch.shutdown();
        try {
            if (!dispatch.awaitTermination(context.operationTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                dispatch.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
