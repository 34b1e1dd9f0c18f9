package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Portal's Kafka driver against raw kafka-clients on one KRaft broker in the benchmark's JVM.
 *
 * <p>Publish: 1,000 keyed 100-byte messages, then wait for every acknowledgement; the raw
 * producer has Portal's default settings (acks=all, idempotence, linger 5 ms, no compression).
 *
 * <p>Consume: 50,000 messages are written to the topic before each invocation (not timed) while
 * the consumers are held back; the invocation lets them go and waits until all 50,000 were
 * handled (counted without waking the benchmark thread per message, which would steal a core).
 * The raw consumer is a poll loop that handles each record in the loop and commits asynchronously
 * at most every 100 ms, as Portal does.
 */
@State(Scope.Benchmark)
public class KafkaBenchmark {

    private static final int PUBLISH_BATCH = 1_000;
    private static final int BULK_LIST = 100;
    private static final int CONSUME_BATCH = 50_000;
    private static final byte[] PAYLOAD = new byte[100];
    private static final String[] KEYS = new String[16];

    static {
        for (int i = 0; i < KEYS.length; i++) {
            KEYS[i] = "k" + i;
        }
    }

    private EmbeddedKafka server;
    private Admin admin;
    private Portal portal;
    private Publisher publisher;
    private KafkaProducer<String, byte[]> rawProducer;
    private KafkaProducer<byte[], byte[]> filler;
    private Subscription subscription;
    private Thread rawConsumer;
    private volatile boolean stopping;
    private final Semaphore portalAllowance = new Semaphore(0);
    private final AtomicInteger portalHandled = new AtomicInteger();
    private volatile CountDownLatch portalDone;
    private final Semaphore rawAllowance = new Semaphore(0);
    private final AtomicInteger rawHandled = new AtomicInteger();
    private volatile CountDownLatch rawDone;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = new EmbeddedKafka();
        server.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers()));
        List<NewTopic> topics = List.of("publish-portal", "publish-raw", "consume-portal", "consume-raw").stream()
                .map(name -> new NewTopic(name, Optional.of(6), Optional.empty())).toList();
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);

        portal = Portal.connect(server.url());
        publisher = portal.publisher();
        rawProducer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
        filler = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));

        subscription = portal.subscriber().subscribe(SubscribeOptions.group("consume-portal", "bench-portal"), delivery -> {
            portalAllowance.acquire();
            if (portalHandled.incrementAndGet() == CONSUME_BATCH) {
                portalDone.countDown();
            }
        });
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "bench-raw",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()));
        consumer.subscribe(List.of("consume-raw"));
        rawConsumer = new Thread(() -> rawPollLoop(consumer), "raw-consumer");
        rawConsumer.start();
    }

    private void rawPollLoop(KafkaConsumer<String, byte[]> consumer) {
        long lastCommit = 0;
        try (consumer) {
            while (!stopping) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    rawAllowance.acquire();
                    if (rawHandled.incrementAndGet() == CONSUME_BATCH) {
                        rawDone.countDown();
                    }
                }
                if (System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(100)) {
                    consumer.commitAsync();
                    lastCommit = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        stopping = true;
        // Let held-back handlers finish so both consumers close promptly.
        portalAllowance.release(Integer.MAX_VALUE / 2);
        rawAllowance.release(Integer.MAX_VALUE / 2);
        rawConsumer.join(10_000);
        subscription.close();
        portal.close();
        rawProducer.close();
        filler.close();
        admin.close();
        server.close();
    }

    void fill(String topic) throws Exception {
        CountDownLatch written = new CountDownLatch(CONSUME_BATCH);
        for (int i = 0; i < CONSUME_BATCH; i++) {
            filler.send(new ProducerRecord<>(topic, KEYS[i & 15].getBytes(), PAYLOAD), (metadata, error) -> written.countDown());
        }
        if (!written.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("backlog not written within 60 s");
        }
    }

    /** Writes the Portal consumer's next backlog. */
    @State(Scope.Thread)
    public static class PortalBacklog {
        @Setup(Level.Invocation)
        public void fill(KafkaBenchmark bench) throws Exception {
            bench.fill("consume-portal");
        }
    }

    /** Writes the raw consumer's next backlog. */
    @State(Scope.Thread)
    public static class RawBacklog {
        @Setup(Level.Invocation)
        public void fill(KafkaBenchmark bench) throws Exception {
            bench.fill("consume-raw");
        }
    }

    @Benchmark
    @OperationsPerInvocation(PUBLISH_BATCH)
    public void portalPublish() throws Exception {
        CompletableFuture<?>[] results = new CompletableFuture<?>[PUBLISH_BATCH];
        for (int i = 0; i < PUBLISH_BATCH; i++) {
            CompletableFuture<PublishResult> result = publisher.publish(new Message("publish-portal", KEYS[i & 15], PAYLOAD, null));
            results[i] = result;
        }
        CompletableFuture.allOf(results).get(60, TimeUnit.SECONDS);
    }

    @Benchmark
    @OperationsPerInvocation(PUBLISH_BATCH)
    public void rawPublish() throws Exception {
        CountDownLatch acknowledged = new CountDownLatch(PUBLISH_BATCH);
        for (int i = 0; i < PUBLISH_BATCH; i++) {
            rawProducer.send(new ProducerRecord<>("publish-raw", KEYS[i & 15], PAYLOAD), (metadata, error) -> acknowledged.countDown());
        }
        if (!acknowledged.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not acknowledged within 60 s");
        }
    }

    @Benchmark
    @OperationsPerInvocation(PUBLISH_BATCH)
    public void portalBulkPublish() throws Exception {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(PUBLISH_BATCH);
        for (int list = 0; list < PUBLISH_BATCH / BULK_LIST; list++) {
            List<Message> messages = new ArrayList<>(BULK_LIST);
            for (int i = 0; i < BULK_LIST; i++) {
                messages.add(new Message("publish-portal", KEYS[i & 15], PAYLOAD, null));
            }
            results.addAll(publisher.publishAll(messages));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** Kafka has no batch call: its producer batches every send, so the raw side of a bulk publish is the send loop. */
    @Benchmark
    @OperationsPerInvocation(PUBLISH_BATCH)
    public void rawBulkPublish() throws Exception {
        rawPublish();
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
