package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Drains one backlog (default 200,000 records of 100 bytes over 6 partitions, 16 keys) with a new
 * consumer group each time, Portal's group subscriber and a raw {@link KafkaConsumer} poll loop
 * taking turns in one JVM on one broker, so drift falls on both sides of each pair. A drain is
 * timed from its first record to its last (group joins are not what is measured). Both sides
 * read the same topic and look at each payload's size; the raw loop commits asynchronously every
 * 100 ms, as Portal does. Use a backlog of a million or more: 200,000 drain in under 100 ms here,
 * where one young collection moves a pair by a third.
 *
 * <p>{@code -Dportal.batch=N} drains with {@code subscribeBatch} in batches of up to N (5 ms to fill) instead.
 *
 * <pre>java [-Dportal.options=maxInFlight=2000] [-Dportal.batch=500] -cp benchmarks/target/benchmarks.jar io.cloudportal.benchmarks.KafkaBacklogDrain [pairs [records]]</pre>
 */
public final class KafkaBacklogDrain {

    private static final String TOPIC = "backlog";
    private static final byte[] PAYLOAD = new byte[100];

    private KafkaBacklogDrain() {
    }

    /**
     * Fills the backlog, runs the pairs and prints their ratios.
     *
     * @param args number of pairs (default 10), records in the backlog (default 200,000)
     * @throws Exception if the broker fails
     */
    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int records = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        try (EmbeddedKafka server = new EmbeddedKafka()) {
            server.start();
            fill(server.bootstrapServers(), records);
            // Extra driver options for experiments, e.g. -Dportal.options=maxInFlight=2000
            String options = System.getProperty("portal.options", "");
            try (Portal portal = Portal.connect(server.url() + (options.isEmpty() ? "" : "?" + options))) {
                double ratios = 0;
                int counted = 0;
                for (int pair = 0; pair < pairs; pair++) {
                    boolean portalFirst = pair % 2 == 0;
                    double first = portalFirst ? portalDrain(portal, pair, records) : rawDrain(server.bootstrapServers(), pair, records);
                    double second = portalFirst ? rawDrain(server.bootstrapServers(), pair, records) : portalDrain(portal, pair, records);
                    double portalRate = portalFirst ? first : second;
                    double rawRate = portalFirst ? second : first;
                    double ratio = portalRate / rawRate;
                    System.out.printf(Locale.ROOT, "pair %2d: portal %,.0f raw %,.0f records/s, ratio %.3f%n", pair, portalRate, rawRate, ratio);
                    if (pair >= pairs / 3) {
                        ratios += ratio;
                        counted++;
                    }
                }
                System.out.printf(Locale.ROOT, "backlog drain Portal ÷ raw, mean of the last %d pairs: %.3f%n", counted, ratios / counted);
            }
        }
    }

    /** Both sides read every payload, so neither can skip the work the other does. */
    private static void checkRead(long bytes, int records) {
        if (bytes != (long) records * PAYLOAD.length) {
            throw new IllegalStateException("read " + bytes + " payload bytes of " + records + " records, not " + (long) records * PAYLOAD.length);
        }
    }

    private static void fill(String bootstrap, int records) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, Optional.of(6), Optional.empty()))).all().get(60, TimeUnit.SECONDS);
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            CountDownLatch written = new CountDownLatch(records);
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(TOPIC, ("key-" + (i & 15)).getBytes(), PAYLOAD), (metadata, error) -> written.countDown());
            }
            if (!written.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the backlog was not written within 120 s");
            }
        }
    }

    /** Records per second from the first record to the last. */
    private static double portalDrain(Portal portal, int pair, int records) throws Exception {
        AtomicInteger handled = new AtomicInteger();
        AtomicLong first = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        long last;
        AtomicLong bytes = new AtomicLong();
        SubscribeOptions options = SubscribeOptions.group(TOPIC, "portal-" + pair);
        int batch = Integer.getInteger("portal.batch", 0);
        try (Subscription ignored = batch == 0 ? portal.subscriber().subscribe(options, delivery -> {
            bytes.addAndGet(delivery.message().payloadSize());
            int n = handled.incrementAndGet();
            if (n == 1) {
                first.set(System.nanoTime());
            } else if (n == records) {
                done.countDown();
            }
        }) : portal.subscriber().subscribeBatch(options, BatchOptions.of(batch, Duration.ofMillis(Long.getLong("portal.batchWaitMillis", 5))), deliveries -> {
            long size = 0;
            for (Delivery delivery : deliveries) {
                size += delivery.message().payloadSize();
            }
            bytes.addAndGet(size);
            int before = handled.getAndAdd(deliveries.size());
            if (before == 0) {
                first.set(System.nanoTime());
            }
            if (before + deliveries.size() == records) {
                done.countDown();
            }
        })) {
            if (!done.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Portal drained " + handled.get() + " of " + records);
            }
            last = System.nanoTime();
        }
        checkRead(bytes.get(), records);
        return records / ((last - first.get()) / 1e9);
    }

    private static double rawDrain(String bootstrap, int pair, int records) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "raw-" + pair,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName()))) {
            consumer.subscribe(List.of(TOPIC));
            int handled = 0;
            long bytes = 0;
            long first = 0;
            long lastCommit = 0;
            while (handled < records) {
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    bytes += record.value().length;
                    if (handled++ == 0) {
                        first = System.nanoTime();
                    }
                }
                if (!polled.isEmpty() && System.nanoTime() - lastCommit > TimeUnit.MILLISECONDS.toNanos(100)) {
                    consumer.commitAsync();
                    lastCommit = System.nanoTime();
                }
            }
            double rate = records / ((System.nanoTime() - first) / 1e9);
            checkRead(bytes, records);
            return rate;
        }
    }
}
