package io.cloudportal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.EmbeddedRabbitMq;
import io.cloudportal.embedded.EmbeddedRocketMq;
import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the examples and checks the facts their transcripts claim: the tour on its embedded
 * defaults, the registry example once on ZooKeeper and once on etcd with the same code, and the
 * pub/sub example (groups, broadcast, dead letters) on RabbitMQ and on RocketMQ as it runs on Kafka.
 */
class ExamplesIT {

    @Test
    void theTourRunsOnItsEmbeddedDefaultsAndEveryExampleDoesWhatItSays() throws Exception {
        Transcript out = Transcript.quiet();
        Tour.run(out);
        List<String> lines = out.lines();
        assertThat(lines).anyMatch(l -> l.startsWith("coordination backend: none configured"))
                .anyMatch(l -> l.startsWith("messaging backend: none configured"));
        assertRegistryFacts(lines);

        assertThat(lines).contains("stock is 12 after 12 updates by 4 workers", "stock is 13");
        assertThat(lines).anyMatch(l -> l.startsWith("worker-1 wakes up and writes with its old token") && l.contains("refused"))
                .noneMatch(l -> l.contains("must not happen"));
        assertThat(lines).anyMatch(l -> l.matches("6 jobs ran, at most [12] at once in 2 slots"))
                .anyMatch(l -> l.startsWith("worker-1's late result is refused by the server") && l.contains("no longer held"))
                .contains("jobs/late holds 'from worker-2'");
        assertThat(lines).contains("the coordinator waits for 5 parts (latch at 5)", "5 workers started together and finished together",
                "all parts loaded: true; 15000 rows in all",
                "a late count-down leaves the latch at 0");

        String first = match(lines, "everyone sees (node-\\d) leading");
        assertThat(lines).contains(first + " stopped");
        String second = match(lines, "everyone sees (node-\\d) leading now");
        assertThat(second).isNotEqualTo(first);

        assertThat(lines).contains("app starts with timeout=2s and retries=3", "app now runs with timeout=5s and retries=3");

        assertPubSubFacts(lines);
        assertPipelineFacts(lines);
    }

    private static void assertPipelineFacts(List<String> lines) {
        assertThat(lines).anyMatch(l -> l.matches("pricing answered the shop's request: sku-7 costs \\d+ cents"))
                .contains("the shop published 40 orders as JSON in one bulk publish (40 results)",
                        "the warehouse loaded 39 orders; the one it could not load went to the dead-letter topic alone",
                        "a new audit group replayed the last minute: all 40 orders")
                .anyMatch(l -> l.endsWith("order order-13 has a negative amount"));
    }

    @Test
    void thePubSubExampleRunsUnchangedOnRabbitMq() throws Exception {
        try (EmbeddedServer rabbit = EmbeddedRabbitMq.startForTests()) {
            Transcript out = Transcript.quiet();
            PubSubExample.run(() -> Portal.connect(rabbit.url()), out);
            assertPubSubFacts(out.lines());
        }
    }

    @Test
    void thePubSubExampleRunsUnchangedOnRocketMq() throws Exception {
        try (EmbeddedServer rocketMq = EmbeddedRocketMq.startForTests()) {
            Transcript out = Transcript.quiet();
            PubSubExample.run(() -> Portal.connect(rocketMq.url()), out);
            assertPubSubFacts(out.lines());
        }
    }

    private static void assertPubSubFacts(List<String> lines) {
        List<String> bills = lines.stream().filter(l -> l.matches("billing-\\d bills order-\\d+ for customer-\\d+")).toList();
        assertThat(bills).as("each order billed once").hasSize(20)
                .extracting(l -> l.split(" ")[2]).doesNotHaveDuplicates();
        assertThat(bills).as("both members of the group got a share").anyMatch(l -> l.startsWith("billing-1"))
                .anyMatch(l -> l.startsWith("billing-2"));
        assertThat(lines.stream().filter(l -> l.startsWith("audit saw "))).as("the broadcast listener saw everything").hasSize(21);
        assertThat(lines).anyMatch(l -> l.matches("dead letter in (orders-\\w+\\.dlt|%DLQ%billing\\|orders-\\w+): poison-order after 3 attempts, because .*no price.*"));
        assertThat(lines.stream().filter(l -> l.contains("cannot bill poison-order"))).hasSize(3);
        assertThat(lines).as("what the meters of billing's connections say").contains("billing's meters: 23 handler runs, 2 retries, 1 dead letter");
    }

    @Test
    void theRegistryExampleRunsUnchangedOnZooKeeperAndOnEtcd() throws Exception {
        try (EmbeddedZooKeeper zooKeeper = new EmbeddedZooKeeper()) {
            zooKeeper.start();
            Transcript out = Transcript.quiet();
            RegistryExample.run(() -> Portal.connect(zooKeeper.url() + "/examples"), out);
            assertRegistryFacts(out.lines());
        }
        try (EmbeddedEtcd etcd = new EmbeddedEtcd()) {
            etcd.start();
            Transcript out = Transcript.quiet();
            RegistryExample.run(() -> Portal.connect(etcd.url() + "/examples"), out);
            assertRegistryFacts(out.lines());
        }
    }

    private static void assertRegistryFacts(List<String> lines) {
        int left = lines.indexOf("the watch saw orders-2 leave");
        assertThat(left).as("the client's watch saw orders-2 leave").isPositive();
        List<String> before = lines.subList(0, left).stream().filter(l -> l.startsWith("call ")).toList();
        List<String> after = lines.subList(left, lines.size()).stream().filter(l -> l.startsWith("call ")).toList();
        assertThat(before).as("calls spread over both instances").anyMatch(l -> l.contains("orders-1")).anyMatch(l -> l.contains("orders-2"));
        assertThat(after).as("calls after orders-2 left").isNotEmpty().allMatch(l -> l.contains("served by orders-1"));
    }

    private static String match(List<String> lines, String regex) {
        Pattern pattern = Pattern.compile(regex);
        for (String line : lines) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.matches()) {
                return matcher.group(1);
            }
        }
        throw new AssertionError("no line matches " + regex + " in " + lines);
    }
}
