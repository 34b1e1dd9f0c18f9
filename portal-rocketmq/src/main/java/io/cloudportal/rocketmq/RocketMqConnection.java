package io.cloudportal.rocketmq;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.ClosedException;
import io.cloudportal.ConfigurationException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.SessionState;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.ClientConfig;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.constant.PermName;
import org.apache.rocketmq.common.topic.TopicValidator;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.apache.rocketmq.remoting.protocol.ResponseCode;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.heartbeat.HeartbeatData;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One RocketMQ connection: a producer (the publisher's, also used for dead letters and as the
 * connection's line to the NameServers) and one push consumer per subscription, each with a
 * client instance of its own so that two subscriptions of one group are two members.
 *
 * <p>RocketMQ clients have no session; the state here is whether a master broker is registered
 * with the NameServers and answers this connection, checked every {@code heartbeat}: SUSPENDED
 * while none does (a broker restart unregisters it; a cut path leaves it registered but silent),
 * RECONNECTED when one does again.
 */
final class RocketMqConnection implements DriverConnection {

    private static final Logger LOG = LoggerFactory.getLogger(RocketMqConnection.class);

    private final RocketMqSettings settings;
    private final DriverContext context;
    private final DefaultMQProducer producer;
    private final ScheduledExecutorService timers;
    private final ExecutorService sendExecutor;
    private final RocketMqSubscriber subscriber = new RocketMqSubscriber(this);
    private final Set<String> knownTopics = ConcurrentHashMap.newKeySet();
    private final AtomicInteger clients = new AtomicInteger();
    private final Object publisherLock = new Object();
    private RocketMqPublisher publisher;
    private final SessionState session;
    private volatile boolean closed;

    private RocketMqConnection(RocketMqSettings settings, DriverContext context, DefaultMQProducer producer) {
        this.settings = settings;
        this.context = context;
        this.producer = producer;
        this.session = new SessionState("the RocketMQ connection " + context.connectionId());
        this.timers = Executors.newSingleThreadScheduledExecutor(context.threadFactory("rocketmq-timer"));
        this.sendExecutor = Executors.newFixedThreadPool(2, context.threadFactory("rocketmq-send"));
        long period = settings.heartbeat().toMillis();
        timers.scheduleWithFixedDelay(this::probe, period, period, TimeUnit.MILLISECONDS);
    }

    static RocketMqConnection open(RocketMqSettings settings, DriverContext context) {
        DefaultMQProducer producer = new DefaultMQProducer(settings.producerGroup(), rpcHook(settings));
        configure(producer, settings, context, "producer");
        producer.setSendMsgTimeout((int) settings.sendTimeout().toMillis());
        producer.setRetryTimesWhenSendFailed(settings.retriesWhenSendFailed());
        producer.setRetryTimesWhenSendAsyncFailed(settings.retriesWhenSendFailed());
        producer.setDefaultTopicQueueNums(settings.queues());
        producer.setMaxMessageSize(RocketMqDriver.LIMITS.maxPayloadBytes());
        // Without it an async send that finds RocketMQ's executor full fails; with it, publish() waits for room.
        producer.setEnableBackpressureForAsyncMode(true);
        producer.setAsyncSenderExecutor(new CallerRunsExecutor());
        try {
            producer.start();
        } catch (MQClientException e) {
            throw new ConfigurationException("the RocketMQ producer for " + settings.nameServers() + " did not start: " + e.getErrorMessage(), e);
        }
        // Answers are handled on the client's I/O thread that read them instead of being handed to RocketMQ's callback pool
        // first: that hand-over made publish(m).get() about 7% slower than RocketMQ's own synchronous send. Nothing on this
        // producer waits inside a callback; RocketMqPublisher moves publishes made from a future's continuation off the thread.
        producer.setCallbackExecutor(new CallerRunsExecutor());
        try {
            ClusterInfo cluster = producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl()
                    .getBrokerClusterInfo(context.operationTimeout().toMillis());
            LOG.debug("Connected to RocketMQ at {}: {} broker(s) ({})", settings.nameServers(), cluster.getBrokerAddrTable().size(), settings);
        } catch (Exception e) {
            producer.shutdown();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new UnavailableException("no RocketMQ NameServer of " + settings.nameServers() + " answered within "
                    + context.operationTimeout() + ": " + e.getMessage(), e);
        }
        return new RocketMqConnection(settings, context, producer);
    }

    static RPCHook rpcHook(RocketMqSettings settings) {
        return settings.acl() ? new AclClientRPCHook(new SessionCredentials(settings.accessKey(), settings.secretKey())) : null;
    }

    private static void configure(ClientConfig client, RocketMqSettings settings, DriverContext context, String purpose) {
        client.setNamesrvAddr(settings.nameServers());
        // One client instance per instance name: a distinct name keeps each connection, and each subscription, a member of its own.
        client.setInstanceName("portal-" + context.connectionId() + "-" + purpose);
        client.setPollNameServerInterval((int) settings.routeRefreshInterval().toMillis());
        client.setMqClientApiTimeout((int) context.operationTimeout().toMillis());
        client.setVipChannelEnabled(false);
    }

    void configureConsumer(ClientConfig consumer) {
        configure(consumer, settings, context, "consumer-" + clients.incrementAndGet());
    }

    private void probe() {
        long timeout = Math.min(settings.heartbeat().toMillis() * 2, 5_000);
        try {
            ClusterInfo cluster = api().getBrokerClusterInfo(timeout);
            List<String> masters = cluster.getBrokerAddrTable().values().stream()
                    .map(broker -> broker.getBrokerAddrs().get(MixAll.MASTER_ID)).filter(Objects::nonNull).toList();
            if (masters.isEmpty()) {
                session.probed(false, "no RocketMQ master broker is registered at " + settings.nameServers());
                return;
            }
            // Registered is not reachable: a cut path to the broker leaves its registration in place.
            for (String master : masters) {
                if (answers(master, timeout)) {
                    session.probed(true, "the RocketMQ master broker at " + master + " answers again");
                    return;
                }
            }
            session.probed(false, "no registered RocketMQ master broker answers (" + String.join(", ", masters) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            session.probed(false, "the RocketMQ NameServers " + settings.nameServers() + " did not answer: " + e.getMessage());
        }
    }

    /** One heartbeat with nothing in it: the cheapest request every client may make, which registers and changes nothing. */
    private boolean answers(String broker, long timeoutMillis) throws InterruptedException {
        HeartbeatData empty = new HeartbeatData();
        empty.setClientID(producer.getDefaultMQProducerImpl().getMqClientFactory().getClientId());
        try {
            api().sendHeartbeat(broker, empty, timeoutMillis);
            return true;
        } catch (RemotingException | MQBrokerException e) {
            LOG.debug("The RocketMQ broker at {} did not answer a heartbeat", broker, e);
            return false;
        }
    }

    MQClientAPIImpl api() {
        return producer.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
    }

    /**
     * Creates a topic on every master broker unless the NameServers know it, and waits until they
     * route it: RocketMQ's own auto-creation needs {@code autoCreateTopicEnable} on the broker and
     * makes a subscriber wait for its next route refresh; this needs neither.
     */
    void ensureTopic(String topic, int queues) {
        if (knownTopics.contains(topic)) {
            return;
        }
        long timeoutMillis = context.operationTimeout().toMillis();
        long deadline = System.nanoTime() + context.operationTimeout().toNanos();
        try {
            if (!routed(topic, timeoutMillis)) {
                TopicConfig config = new TopicConfig(topic, queues, queues, PermName.PERM_READ | PermName.PERM_WRITE);
                for (BrokerData broker : api().getBrokerClusterInfo(timeoutMillis).getBrokerAddrTable().values()) {
                    String master = broker.getBrokerAddrs().get(MixAll.MASTER_ID);
                    if (master != null) {
                        api().createTopic(master, TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC, config, timeoutMillis);
                    }
                }
                while (!routed(topic, timeoutMillis)) {
                    if (System.nanoTime() > deadline) {
                        throw new PortalTimeoutException("the RocketMQ NameServers did not route the new topic '" + topic + "' within "
                                + context.operationTimeout());
                    }
                    Thread.sleep(20);
                }
                LOG.debug("Created RocketMQ topic {} with {} queue(s)", topic, queues);
            }
            knownTopics.add(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while making sure the RocketMQ topic '" + topic + "' exists", e);
        } catch (PortalTimeoutException e) {
            throw e;
        } catch (Exception e) {
            if (refusedAccess(e)) {
                throw new AccessDeniedException("RocketMQ refused access key '" + settings.accessKey() + "' making sure the topic '"
                        + topic + "' exists: " + e.getMessage() + " (check 'accessKey' and 'secretKey', and the user's permissions)", e);
            }
            throw new UnavailableException("cannot make sure the RocketMQ topic '" + topic + "' exists at " + settings.nameServers() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The broker answers a bad signature, an unknown user or a missing permission with NO_PERMISSION. */
    static boolean refusedAccess(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if ((cause instanceof MQClientException client && client.getResponseCode() == ResponseCode.NO_PERMISSION)
                    || (cause instanceof org.apache.rocketmq.client.exception.MQBrokerException broker
                        && broker.getResponseCode() == ResponseCode.NO_PERMISSION)) {
                return true;
            }
        }
        return false;
    }

    private boolean routed(String topic, long timeoutMillis) throws Exception {
        try {
            return !api().getTopicRouteInfoFromNameServer(topic, timeoutMillis).getQueueDatas().isEmpty();
        } catch (MQClientException e) {
            if (e.getResponseCode() == ResponseCode.TOPIC_NOT_EXIST) {
                return false;
            }
            throw e;
        }
    }

    void ensureOpen() {
        if (closed) {
            throw new ClosedException("the RocketMQ connection is closed");
        }
    }

    RocketMqSettings settings() {
        return settings;
    }

    DriverContext context() {
        return context;
    }

    ScheduledExecutorService timers() {
        return timers;
    }

    /** Where a publish that waited (for an earlier one of its key, or after a busy broker) is sent from. */
    ExecutorService sendExecutor() {
        return sendExecutor;
    }

    DefaultMQProducer producer() {
        return producer;
    }

    Duration operationTimeout() {
        return context.operationTimeout();
    }

    @Override
    public DriverPublisher publisher() {
        synchronized (publisherLock) {
            ensureOpen();
            if (publisher == null) {
                publisher = new RocketMqPublisher(this);
            }
            return publisher;
        }
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
        if (type == RocketMqConnection.class) {
            // Package-private: only the driver's own tests can name it.
            return Optional.of(type.cast(this));
        }
        if (type.isInstance(producer)) {
            return Optional.of(type.cast(producer));
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        RocketMqPublisher toClose;
        synchronized (publisherLock) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = publisher;
        }
        session.close();
        if (toClose != null) {
            // Before the timers stop: a send the broker answered "busy" is re-sent from them.
            toClose.close();
        }
        timers.shutdownNow();
        sendExecutor.shutdownNow();
        producer.shutdown();
    }
}
