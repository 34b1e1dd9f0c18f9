package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;

/**
 * A paired check of {@code RocketMqBenchmark}'s synchronous publish ratio: Portal and the raw
 * producer take turns in short blocks on one broker in one JVM, so drift of the machine and the
 * broker over minutes (which moves whole JMH forks by ±15% here) falls on both sides of each
 * pair alike. Prints each pair's ratio and the mean over the pairs after the first third
 * (warm-up). It complements JMH, whose forks run one side after the other; it does not replace it.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.cloudportal.benchmarks.RocketMqPairedSyncPublish [pairs [blockMillis]]</pre>
 */
public final class RocketMqPairedSyncPublish {

    private static final byte[] PAYLOAD = new byte[100];

    private RocketMqPairedSyncPublish() {
    }

    /**
     * Runs the pairs and prints their ratios.
     *
     * @param args number of pairs (default 30) and block length in milliseconds (default 1,000)
     * @throws Exception if the broker or a send fails
     */
    public static void main(String[] args) throws Exception {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        long blockNanos = TimeUnit.MILLISECONDS.toNanos(args.length > 1 ? Long.parseLong(args[1]) : 1_000);
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
                    long first = portalFirst ? portalBlock(publisher, blockNanos) : rawBlock(raw, blockNanos);
                    long second = portalFirst ? rawBlock(raw, blockNanos) : portalBlock(publisher, blockNanos);
                    long portalSends = portalFirst ? first : second;
                    long rawSends = portalFirst ? second : first;
                    double ratio = (double) portalSends / rawSends;
                    System.out.printf(Locale.ROOT, "pair %2d: portal %,d raw %,d sends, ratio %.3f%n", pair, portalSends, rawSends, ratio);
                    if (pair >= pairs / 3) {
                        ratios += ratio;
                        counted++;
                    }
                }
                System.out.printf(Locale.ROOT, "sync publish Portal ÷ raw, mean of the last %d pairs: %.3f%n", counted, ratios / counted);
            } finally {
                raw.shutdown();
            }
        }
    }

    private static long portalBlock(Publisher publisher, long blockNanos) throws Exception {
        long end = System.nanoTime() + blockNanos;
        long sends = 0;
        while (System.nanoTime() < end) {
            publisher.publish(new Message("paired-portal", null, PAYLOAD, null)).get(30, TimeUnit.SECONDS);
            sends++;
        }
        return sends;
    }

    private static long rawBlock(DefaultMQProducer raw, long blockNanos) throws Exception {
        long end = System.nanoTime() + blockNanos;
        long sends = 0;
        while (System.nanoTime() < end) {
            SendStatus status = raw.send(new org.apache.rocketmq.common.message.Message("paired-raw", PAYLOAD)).getSendStatus();
            if (status != SendStatus.SEND_OK) {
                throw new IllegalStateException(status.toString());
            }
            sends++;
        }
        return sends;
    }
}
