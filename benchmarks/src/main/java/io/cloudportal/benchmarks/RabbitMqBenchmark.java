package io.cloudportal.benchmarks;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Portal's RabbitMQ driver against raw amqp-client on one RabbitMQ node (a child process of the
 * installed server, or {@code PORTAL_TEST_RABBITMQ_URL}).
 *
 * <p>Publish: 1,000 persistent 100-byte messages to a topic exchange whose quorum queue takes them,
 * then wait for every confirm; the raw client publishes asynchronously on a confirm channel with
 * the same bound on outstanding confirms (10,000) and counts acks in its confirm listener.
 *
 * <p>Consume: 10,000 messages wait in a quorum queue (written untimed while the consumer is held
 * back); the invocation lets the consumer go and waits until all were handled and acknowledged,
 * with prefetch 100 and manual acks on both sides.
 */
@State(Scope.Benchmark)
public class RabbitMqBenchmark {

    private static final int PUBLISH_BATCH = 1_000;
    private static final int CONSUME_BATCH = 10_000;
    private static final int MAX_OUTSTANDING = 10_000;
    private static final byte[] PAYLOAD = new byte[100];
    private static final AMQP.BasicProperties PERSISTENT = new AMQP.BasicProperties.Builder().deliveryMode(2)
            .contentType("application/octet-stream").build();

    private EmbeddedServer server;
    private Portal portal;
    private Publisher publisher;
    private Subscription subscription;
    private Connection raw;
    private Channel rawPublishing;
    private final Semaphore rawRoom = new Semaphore(MAX_OUTSTANDING);
    private volatile CountDownLatch rawConfirmed;
    private Channel filling;
    private Channel rawConsuming;
    private final Semaphore portalAllowance = new Semaphore(0);
    private final AtomicInteger portalHandled = new AtomicInteger();
    private volatile CountDownLatch portalDone;
    private final Semaphore rawAllowance = new Semaphore(0);
    private final AtomicInteger rawHandled = new AtomicInteger();
    private volatile CountDownLatch rawDone;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = EmbeddedRabbitMq.startForTests();
        portal = Portal.connect(server.url() + "?maxOutstandingConfirms=" + MAX_OUTSTANDING + "&prefetch=100");
        publisher = portal.publisher();
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(server.url());
        raw = factory.newConnection();
        Channel admin = raw.createChannel();
        Map<String, Object> quorum = Map.of("x-queue-type", "quorum");
        for (String topic : new String[] {"publish-portal", "publish-raw", "consume-raw"}) {
            admin.exchangeDeclare(topic, "topic", true);
            admin.queueDeclare(topic + ".sink", true, false, false, quorum);
            admin.queueBind(topic + ".sink", topic, "#");
        }
        // Queues that take the published messages are purged between iterations so they do not grow without bound.
        subscription = portal.subscriber().subscribe(SubscribeOptions.group("consume-portal", "bench"), delivery -> {
            portalAllowance.acquire();
            if (portalHandled.incrementAndGet() == CONSUME_BATCH) {
                portalDone.countDown();
            }
        });

        rawPublishing = raw.createChannel();
        rawPublishing.confirmSelect();
        rawPublishing.addConfirmListener((sequence, multiple) -> acknowledge(sequence, multiple), (sequence, multiple) -> {
            throw new IllegalStateException("nack");
        });
        filling = raw.createChannel();
        filling.confirmSelect();
        rawConsuming = raw.createChannel();
        rawConsuming.basicQos(100);
        rawConsuming.basicConsume("consume-raw.sink", false, new DefaultConsumer(rawConsuming) {
            @Override
            public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
                try {
                    rawAllowance.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                getChannel().basicAck(envelope.getDeliveryTag(), false);
                if (rawHandled.incrementAndGet() == CONSUME_BATCH) {
                    rawDone.countDown();
                }
            }
        });
    }

    private long confirmedUpTo;

    private synchronized void acknowledge(long sequence, boolean multiple) {
        long count = multiple ? sequence - confirmedUpTo : 1;
        confirmedUpTo = Math.max(confirmedUpTo, sequence);
        rawRoom.release((int) count);
        for (long i = 0; i < count; i++) {
            rawConfirmed.countDown();
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        portalAllowance.release(Integer.MAX_VALUE / 2);
        rawAllowance.release(Integer.MAX_VALUE / 2);
        subscription.close();
        portal.close();
        raw.close();
        server.close();
    }

    @TearDown(Level.Iteration)
    public void purge() throws IOException {
        filling.queuePurge("publish-portal.sink");
        filling.queuePurge("publish-raw.sink");
    }

    void fill(String topic) throws Exception {
        for (int i = 0; i < CONSUME_BATCH; i++) {
            filling.basicPublish(topic, "k" + (i & 15), PERSISTENT, PAYLOAD);
        }
        filling.waitForConfirmsOrDie(60_000);
    }

    /** Writes the Portal consumer's next backlog. */
    @State(Scope.Thread)
    public static class PortalBacklog {
        @Setup(Level.Invocation)
        public void fill(RabbitMqBenchmark bench) throws Exception {
            bench.fill("consume-portal");
        }
    }

    /** Writes the raw consumer's next backlog. */
    @State(Scope.Thread)
    public static class RawBacklog {
        @Setup(Level.Invocation)
        public void fill(RabbitMqBenchmark bench) throws Exception {
            bench.fill("consume-raw");
        }
    }

    @Benchmark
    @OperationsPerInvocation(PUBLISH_BATCH)
    public void portalPublish() throws Exception {
        CompletableFuture<?>[] results = new CompletableFuture<?>[PUBLISH_BATCH];
        for (int i = 0; i < PUBLISH_BATCH; i++) {
            results[i] = publisher.publish(new Message("publish-portal", "k" + (i & 15), PAYLOAD, null));
        }
        CompletableFuture.allOf(results).get(60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(PUBLISH_BATCH)
    public void rawPublish() throws Exception {
        rawConfirmed = new CountDownLatch(PUBLISH_BATCH);
        for (int i = 0; i < PUBLISH_BATCH; i++) {
            rawRoom.acquire();
            rawPublishing.basicPublish("publish-raw", "k" + (i & 15), PERSISTENT, PAYLOAD);
        }
        if (!rawConfirmed.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not confirmed within 60 s");
        }
    }

    @Benchmark
    @OperationsPerInvocation(CONSUME_BATCH)
    public void portalConsume(PortalBacklog backlog) throws InterruptedException {
        portalHandled.set(0);
        portalDone = new CountDownLatch(1);
        portalAllowance.release(CONSUME_BATCH);
        if (!portalDone.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backlog not consumed within 60 s");
        }
    }

    @Benchmark
    @OperationsPerInvocation(CONSUME_BATCH)
    public void rawConsume(RawBacklog backlog) throws InterruptedException {
        rawHandled.set(0);
        rawDone = new CountDownLatch(1);
        rawAllowance.release(CONSUME_BATCH);
        if (!rawDone.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backlog not consumed within 60 s");
        }
    }
}
