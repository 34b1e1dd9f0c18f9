package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Portal's RocketMQ driver against raw rocketmq-client on one NameServer and broker in this JVM
 * (or {@code PORTAL_TEST_ROCKETMQ_URL}).
 *
 * <p>Publish, 100-byte messages without a key (round robin over the queues on both sides):
 * synchronous, one message at a time ({@code publish(m).get()} against {@code send(m)}), and
 * asynchronous, 1,000 in flight then wait for every SEND_OK (against {@code send(m, callback)}),
 * and in bulk, 1,000 as ten {@code publishAll} lists of 100 (against ten batch sends,
 * {@code send(collection, callback)}).
 *
 * <p>Consume: 10,000 messages wait in the topic (written untimed while the consumer is held back);
 * the invocation lets the consumer go and waits until all were handled. Portal's group
 * subscription (one handler thread) against a raw push consumer with a concurrent listener and one
 * consume thread.
 */
@State(Scope.Benchmark)
public class RocketMqBenchmark {

    private static final int SYNC_BATCH = 100;
    private static final int ASYNC_BATCH = 1_000;
    private static final int CONSUME_BATCH = 10_000;
    /** Messages per list of a bulk publish: RocketMQ batches each list as one request on both sides. */
    private static final int BULK_LIST = 100;
    private static final byte[] PAYLOAD = new byte[100];

    private EmbeddedServer server;
    private Portal portal;
    private Publisher publisher;
    private Subscription subscription;
    private DefaultMQProducer raw;
    private DefaultMQProducer filling;
    private DefaultMQPushConsumer rawConsumer;
    private final Semaphore portalAllowance = new Semaphore(0);
    private final AtomicInteger portalHandled = new AtomicInteger();
    private volatile CountDownLatch portalDone;
    private final Semaphore rawAllowance = new Semaphore(0);
    private final AtomicInteger rawHandled = new AtomicInteger();
    private volatile CountDownLatch rawDone;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = EmbeddedRocketMq.startForTests();
        String nameServer = server.url().substring("rocketmq://".length());
        portal = Portal.connect(server.url());
        publisher = portal.publisher();
        raw = producer(nameServer, "bench-raw");
        filling = producer(nameServer, "bench-filling");
        // Both sides publish to topics that exist, with Portal's queue count.
        for (String topic : new String[] {"publish-portal", "publish-raw", "consume-portal", "consume-raw"}) {
            publisher.publish(new Message(topic, null, PAYLOAD, null)).get(30, TimeUnit.SECONDS);
        }
        subscription = portal.subscriber().subscribe(SubscribeOptions.group("consume-portal", "bench"), delivery -> {
            portalAllowance.acquire();
            if (portalHandled.incrementAndGet() == CONSUME_BATCH) {
                portalDone.countDown();
            }
        });
        rawConsumer = new DefaultMQPushConsumer("bench-raw");
        rawConsumer.setNamesrvAddr(nameServer);
        rawConsumer.setInstanceName("bench-raw-consumer");
        rawConsumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET);
        rawConsumer.setConsumeThreadMin(1);
        rawConsumer.setConsumeThreadMax(1);
        rawConsumer.subscribe("consume-raw", "*");
        rawConsumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
            try {
                rawAllowance.acquire(messages.size());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ConsumeConcurrentlyStatus.RECONSUME_LATER;
            }
            if (rawHandled.addAndGet(messages.size()) == CONSUME_BATCH) {
                rawDone.countDown();
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        rawConsumer.start();
    }

    private static DefaultMQProducer producer(String nameServer, String name) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer(name);
        producer.setNamesrvAddr(nameServer);
        producer.setInstanceName(name);
        producer.start();
        return producer;
    }

    @TearDown(Level.Trial)
    public void stop() {
        portalAllowance.release(Integer.MAX_VALUE / 2);
        rawAllowance.release(Integer.MAX_VALUE / 2);
        subscription.close();
        portal.close();
        rawConsumer.shutdown();
        raw.shutdown();
        filling.shutdown();
        server.close();
    }

    void fill(String topic) throws Exception {
        CountDownLatch sent = new CountDownLatch(CONSUME_BATCH);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < CONSUME_BATCH; i++) {
            filling.send(new org.apache.rocketmq.common.message.Message(topic, PAYLOAD), callback(sent, failure));
            if (i % 1_000 == 999 && !sent.await(0, TimeUnit.SECONDS)) {
                // Keep the broker's send queue short: it answers "busy" to a flood.
                while (sent.getCount() > CONSUME_BATCH - i - 1 + 500) {
                    Thread.onSpinWait();
                }
            }
        }
        await(sent, failure);
    }

    static SendCallback callback(CountDownLatch sent, AtomicReference<Throwable> failure) {
        return new SendCallback() {
            @Override
            public void onSuccess(SendResult result) {
                if (result.getSendStatus() != SendStatus.SEND_OK) {
                    failure.set(new IllegalStateException(result.getSendStatus().toString()));
                }
                sent.countDown();
            }

            @Override
            public void onException(Throwable e) {
                failure.set(e);
                sent.countDown();
            }
        };
    }

    static void await(CountDownLatch sent, AtomicReference<Throwable> failure) throws Exception {
        if (!sent.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not sent within 60 s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a send failed", failure.get());
        }
    }

    /** Writes the Portal consumer's next backlog. */
    @State(Scope.Thread)
    public static class PortalBacklog {
        @Setup(Level.Invocation)
        public void fill(RocketMqBenchmark bench) throws Exception {
            bench.fill("consume-portal");
        }
    }

    /** Writes the raw consumer's next backlog. */
    @State(Scope.Thread)
    public static class RawBacklog {
        @Setup(Level.Invocation)
        public void fill(RocketMqBenchmark bench) throws Exception {
            bench.fill("consume-raw");
        }
    }

    @Benchmark
    @OperationsPerInvocation(SYNC_BATCH)
    public void portalSyncPublish() throws Exception {
        for (int i = 0; i < SYNC_BATCH; i++) {
            publisher.publish(new Message("publish-portal", null, PAYLOAD, null)).get(30, TimeUnit.SECONDS);
        }
    }

    @Benchmark
    @OperationsPerInvocation(SYNC_BATCH)
    public void rawSyncPublish() throws Exception {
        for (int i = 0; i < SYNC_BATCH; i++) {
            SendResult result = raw.send(new org.apache.rocketmq.common.message.Message("publish-raw", PAYLOAD));
            if (result.getSendStatus() != SendStatus.SEND_OK) {
                throw new IllegalStateException(result.getSendStatus().toString());
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(ASYNC_BATCH)
    public void portalAsyncPublish() throws Exception {
        CompletableFuture<?>[] results = new CompletableFuture<?>[ASYNC_BATCH];
        for (int i = 0; i < ASYNC_BATCH; i++) {
            results[i] = publisher.publish(new Message("publish-portal", null, PAYLOAD, null));
        }
        CompletableFuture.allOf(results).get(60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(ASYNC_BATCH)
    public void rawAsyncPublish() throws Exception {
        CountDownLatch sent = new CountDownLatch(ASYNC_BATCH);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < ASYNC_BATCH; i++) {
            raw.send(new org.apache.rocketmq.common.message.Message("publish-raw", PAYLOAD), callback(sent, failure));
        }
        await(sent, failure);
    }

    @Benchmark
    @OperationsPerInvocation(ASYNC_BATCH)
    public void portalBulkPublish() throws Exception {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(ASYNC_BATCH);
        for (int list = 0; list < ASYNC_BATCH / BULK_LIST; list++) {
            List<Message> messages = new ArrayList<>(BULK_LIST);
            for (int i = 0; i < BULK_LIST; i++) {
                messages.add(new Message("publish-portal", null, PAYLOAD, null));
            }
            results.addAll(publisher.publishAll(messages));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(ASYNC_BATCH)
    public void rawBulkPublish() throws Exception {
        CountDownLatch sent = new CountDownLatch(ASYNC_BATCH / BULK_LIST);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int list = 0; list < ASYNC_BATCH / BULK_LIST; list++) {
            List<org.apache.rocketmq.common.message.Message> messages = new ArrayList<>(BULK_LIST);
            for (int i = 0; i < BULK_LIST; i++) {
                messages.add(new org.apache.rocketmq.common.message.Message("publish-raw", PAYLOAD));
            }
            raw.send(messages, callback(sent, failure));
        }
        await(sent, failure);
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
