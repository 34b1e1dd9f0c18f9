package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;

/**
 * A paired check of {@code RocketMqBenchmark}'s publish ratios: Portal and the raw producer take
 * turns in short blocks on one broker in one JVM, so drift of the machine and the broker over
 * minutes (which moved whole JMH forks by ±15–20% here, and a run's ratio with them) falls on both
 * sides of each pair alike. {@code sync} is {@code publish(m).get()} against {@code send(m)};
 * {@code async} is 1,000 publishes then every future, against 1,000 {@code send(m, callback)},
 * as in the JMH benchmark. Prints each pair's ratio and the mean over the pairs after the first
 * third (warm-up). It complements JMH, whose forks run one side after the other.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.cloudportal.benchmarks.RocketMqPairedPublish sync|async [pairs [blockMillis]]</pre>
 */
public final class RocketMqPairedPublish {

    private static final byte[] PAYLOAD = new byte[100];
    private static final int ASYNC_BATCH = 1_000;

    private RocketMqPairedPublish() {
    }

    /**
     * Runs the pairs and prints their ratios.
     *
     * @param args {@code sync} or {@code async}, number of pairs (default 30), block length in milliseconds (default 1,000)
     * @throws Exception if the broker or a send fails
     */
    public static void main(String[] args) throws Exception {
        boolean async = args.length > 0 && args[0].equals("async");
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        long blockNanos = TimeUnit.MILLISECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 1_000);
        try (EmbeddedServer server = EmbeddedRocketMq.startForTests(); Portal portal = Portal.connect(server.url())) {
            Publisher publisher = portal.publisher();
            DefaultMQProducer raw = new DefaultMQProducer("paired-raw");
            raw.setNamesrvAddr(server.url().substring("rocketmq://".length()));
            raw.setInstanceName("paired-raw");
            raw.start();
            try {
                // Both topics exist before the first block, with Portal's queue count.
                publisher.publish(new Message("paired-portal", null, PAYLOAD, null)).get(30, TimeUnit.SECONDS);
                publisher.publish(new Message("paired-raw", null, PAYLOAD, null)).get(30, TimeUnit.SECONDS);
                double ratios = 0;
                int counted = 0;
                for (int pair = 0; pair < pairs; pair++) {
                    // Alternate which side goes first, so neither always follows the other's garbage.
                    boolean portalFirst = pair % 2 == 0;
                    long first = portalFirst ? portalBlock(publisher, async, blockNanos) : rawBlock(raw, async, blockNanos);
                    long second = portalFirst ? rawBlock(raw, async, blockNanos) : portalBlock(publisher, async, blockNanos);
                    long portalSends = portalFirst ? first : second;
                    long rawSends = portalFirst ? second : first;
                    double ratio = (double) portalSends / rawSends;
                    System.out.printf(Locale.ROOT, "pair %2d: portal %,d raw %,d sends, ratio %.3f%n", pair, portalSends, rawSends, ratio);
                    if (pair >= pairs / 3) {
                        ratios += ratio;
                        counted++;
                    }
                }
                System.out.printf(Locale.ROOT, "%s publish Portal ÷ raw, mean of the last %d pairs: %.3f%n", async ? "async" : "sync", counted,
                        ratios / counted);
            } finally {
                raw.shutdown();
            }
        }
    }

    private static long portalBlock(Publisher publisher, boolean async, long blockNanos) throws Exception {
        long end = System.nanoTime() + blockNanos;
        long sends = 0;
        while (System.nanoTime() < end) {
            if (async) {
                CompletableFuture<?>[] results = new CompletableFuture<?>[ASYNC_BATCH];
                for (int i = 0; i < ASYNC_BATCH; i++) {
                    results[i] = publisher.publish(new Message("paired-portal", null, PAYLOAD, null));
                }
                CompletableFuture.allOf(results).get(60, TimeUnit.SECONDS);
                sends += ASYNC_BATCH;
            } else {
                publisher.publish(new Message("paired-portal", null, PAYLOAD, null)).get(30, TimeUnit.SECONDS);
                sends++;
            }
        }
        return sends;
    }

    private static long rawBlock(DefaultMQProducer raw, boolean async, long blockNanos) throws Exception {
        long end = System.nanoTime() + blockNanos;
        long sends = 0;
        while (System.nanoTime() < end) {
            if (async) {
                CountDownLatch sent = new CountDownLatch(ASYNC_BATCH);
                AtomicReference<Throwable> failure = new AtomicReference<>();
                for (int i = 0; i < ASYNC_BATCH; i++) {
                    raw.send(new org.apache.rocketmq.common.message.Message("paired-raw", PAYLOAD), RocketMqBenchmark.callback(sent, failure));
                }
                RocketMqBenchmark.await(sent, failure);
                sends += ASYNC_BATCH;
            } else {
                SendStatus status = raw.send(new org.apache.rocketmq.common.message.Message("paired-raw", PAYLOAD)).getSendStatus();
                if (status != SendStatus.SEND_OK) {
                    throw new IllegalStateException(status.toString());
                }
                sends++;
            }
        }
        return sends;
    }
}
