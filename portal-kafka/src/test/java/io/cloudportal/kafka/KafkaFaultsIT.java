package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.embedded.EmbeddedKafka;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.PublishResult;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka's own faults on a three-broker cluster: the partition leader's broker stopped and
 * restarted under load, group members killed (their JVM halted) mid-stream, and a cluster that is
 * down when publishing starts. Each asserts the figure that matters to be zero.
 */
class KafkaFaultsIT {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFaultsIT.class);
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    /** Members are declared dead after this; Kafka's brokers accept 6 s at least. */
    private static final String MEMBER_OPTIONS = "kafka.consumer.heartbeat.interval.ms=500&kafka.consumer.session.timeout.ms=6000";

    private static EmbeddedKafka cluster;
    private static Admin admin;

    @BeforeAll
    static void startCluster() {
        cluster = new EmbeddedKafka(3);
        cluster.start();
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()));
    }

    @AfterAll
    static void stopCluster() {
        admin.close();
        cluster.close();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static void createReplicatedTopic(String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.of((short) 3))
                .configs(Map.of("min.insync.replicas", "2")))).all().get(30, TimeUnit.SECONDS);
    }

    /** Waits for it: a broker other than the one that created the topic may not know it yet (UNKNOWN_TOPIC_OR_PARTITION). */
    private static int leaderOf(String topic, int partition) {
        AtomicInteger leader = new AtomicInteger(-1);
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            var node = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader();
            if (node != null) {
                leader.set(node.id());
            }
            return node != null;
        });
        return leader.get();
    }

    @Test
    void theLeadersBrokerStoppedAndRestartedUnderLoadLosesAndReordersNothing() throws Exception {
        String topic = unique("leader-restart");
        createReplicatedTopic(topic, 3);
        int messages = 100_000;
        int keys = 32;
        int leader = leaderOf(topic, 0);
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<Throwable> publishError = new AtomicReference<>();
        try (Portal producer = Portal.connect(cluster.url()); Portal consumer = Portal.connect(cluster.url() + "?" + MEMBER_OPTIONS)) {
            Publisher publisher = producer.publisher();
            Thread publishing = new Thread(() -> {
                try {
                    List<CompletableFuture<PublishResult>> results = new ArrayList<>(messages);
                    for (int i = 0; i < messages; i++) {
                        int number = i;
                        results.add(publisher.publish(Message.of(topic, "key-" + (i % keys), Integer.toString(i)))
                                .whenComplete((result, error) -> {
                                    if (error == null) {
                                        acknowledged.add(number);
                                    } else {
                                        failed.incrementAndGet();
                                    }
                                }));
                        if (i % 20 == 0) {
                            // About 20,000 a second, so the stop and the restart both land in the middle of the stream.
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                        }
                    }
                    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(3, TimeUnit.MINUTES);
                } catch (Throwable e) {
                    publishError.set(e);
                }
            }, "fault-publisher");
            publishing.start();
            await().atMost(PATIENCE).until(() -> acknowledged.size() >= 10_000);
            cluster.stopBroker(leader);
            int atStop = acknowledged.size();
            await().atMost(PATIENCE).until(() -> acknowledged.size() >= atStop + 10_000 || !publishing.isAlive());
            int duringOutage = acknowledged.size() - atStop;
            cluster.startBroker(leader);
            publishing.join(TimeUnit.MINUTES.toMillis(4));
            assertThat(publishError.get()).as("publishing").isNull();
            LOG.info("leader {} stopped after {} acknowledgements; {} acknowledged while it was down; {} failed", leader, atStop,
                    duringOutage, failed.get());

            Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
            Set<Integer> consumed = ConcurrentHashMap.newKeySet();
            try (Subscription ignored = consumer.subscriber().subscribe(SubscribeOptions.group(topic, unique("readers")), d -> {
                int number = Integer.parseInt(d.message().payloadAsString());
                if (consumed.add(number)) {
                    seen.computeIfAbsent(d.message().key(), k -> new ArrayList<>()).add(number);
                }
            })) {
                await().atMost(PATIENCE).until(() -> consumed.containsAll(acknowledged));
            }
            long lost = acknowledged.stream().filter(n -> !consumed.contains(n)).count();
            long reordered = seen.values().stream().mapToLong(KafkaFaultsIT::reorders).sum();
            LOG.info("acknowledged {}, consumed {}, lost {}, per-key reorders {}", acknowledged.size(), consumed.size(), lost, reordered);
            assertThat(duringOutage).as("acknowledged while the leader's broker was down").isPositive();
            assertThat(lost).as("acknowledged but lost").isZero();
            assertThat(reordered).as("per-key reorders").isZero();
        }
    }

    private static long reorders(List<Integer> numbers) {
        long reorders = 0;
        for (int i = 1; i < numbers.size(); i++) {
            if (numbers.get(i) < numbers.get(i - 1)) {
                reorders++;
            }
        }
        return reorders;
    }

    @Test
    void aMemberKilledMidStreamAndANewOneAddedLoseNothing() throws Exception {
        String topic = unique("member-killed");
        String group = unique("workers");
        createReplicatedTopic(topic, 6);
        Set<String> handled = ConcurrentHashMap.newKeySet();
        AtomicInteger handlings = new AtomicInteger();
        try (Portal survivors = Portal.connect(cluster.url() + "?" + MEMBER_OPTIONS); Portal publisherSide = Portal.connect(cluster.url())) {
            List<Subscription> members = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                members.add(survivors.subscriber().subscribe(SubscribeOptions.group(topic, group), d -> {
                    handled.add(d.message().payloadAsString());
                    handlings.incrementAndGet();
                }));
            }
            MemberProcess victim = MemberProcess.start(cluster.url() + "?" + MEMBER_OPTIONS, topic, group, 300);
            List<CompletableFuture<PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                results.add(publisherSide.publisher().publish(Message.of(topic, "key-" + (i % 64), "m" + i)));
            }
            CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(victim.process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the member halted").isTrue();
            members.add(survivors.subscriber().subscribe(SubscribeOptions.group(topic, group), d -> {
                handled.add(d.message().payloadAsString());
                handlings.incrementAndGet();
            }));
            // What the killed member handled and committed is not delivered again; what it had not committed is.
            Set<String> everyone = ConcurrentHashMap.newKeySet();
            await().atMost(PATIENCE).until(() -> {
                everyone.addAll(handled);
                everyone.addAll(victim.handled);
                return everyone.size() == 20_000;
            });
            members.forEach(Subscription::close);
            long lost = 20_000 - everyone.size();
            long handledTwice = handlings.get() + victim.handled.size() - everyone.size();
            LOG.info("killed member handled {} (last {}); lost {}; handled again by the survivors {}", victim.handled.size(),
                    victim.last(), lost, handledTwice);
            assertThat(victim.handled).as("messages the killed member handled").hasSize(300);
            assertThat(lost).as("lost").isZero();
        }
    }

    @Test
    void aMemberThatDiesAfterHandlingBeforeCommittingHasItsMessageRedelivered() throws Exception {
        String topic = unique("crash-before-commit");
        String group = unique("workers");
        createReplicatedTopic(topic, 1);
        List<String> handledBySurvivor = new ArrayList<>();
        try (Portal publisherSide = Portal.connect(cluster.url()); Portal survivorSide = Portal.connect(cluster.url() + "?" + MEMBER_OPTIONS)) {
            MemberProcess victim = MemberProcess.start(cluster.url() + "?" + MEMBER_OPTIONS, topic, group, 1);
            publisherSide.publisher().publish(Message.of(topic, "k", "the-one")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(victim.process.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the member halted").isTrue();
            assertThat(victim.handled).containsExactly("the-one");
            try (Subscription ignored = survivorSide.subscriber().subscribe(SubscribeOptions.group(topic, group), d -> {
                synchronized (handledBySurvivor) {
                    handledBySurvivor.add(d.message().payloadAsString());
                }
            })) {
                await().atMost(PATIENCE).until(() -> {
                    synchronized (handledBySurvivor) {
                        return handledBySurvivor.contains("the-one");
                    }
                });
            }
        }
        assertThat(handledBySurvivor).as("the uncommitted message, delivered again to the group").containsExactly("the-one");
    }

    @Test
    void publishingWhileEveryBrokerIsDownFailsWithinTheConfiguredBounds() throws Exception {
        try (EmbeddedKafka single = new EmbeddedKafka()) {
            single.start();
            Duration maxBlock = Duration.ofSeconds(2);
            Duration deliveryTimeout = Duration.ofSeconds(4);
            try (Portal portal = Portal.connect(single.url() + "?maxBlock=" + maxBlock.toSeconds() + "s&deliveryTimeout="
                    + deliveryTimeout.toSeconds() + "s")) {
                String known = unique("known");
                portal.publisher().publish(Message.of(known, "k", "before")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                single.stop();

                CompletableFuture<PublishResult> toKnownTopic = portal.publisher().publish(Message.of(known, "k", "after"));
                CompletableFuture<PublishResult> toNewTopic = portal.publisher().publish(Message.of(unique("fresh"), "k", "after"));
                // The bound plus the margin a loaded machine needs; never open-ended.
                assertThat(toKnownTopic).failsWithin(deliveryTimeout.plusSeconds(10))
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(PortalTimeoutException.class).withMessageContaining(known);
                assertThat(toNewTopic).failsWithin(maxBlock.plusSeconds(10))
                        .withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOf(PortalTimeoutException.class).withMessageContaining("maxBlock");
            }
        }
    }

    /** A {@link GroupMemberProcess} and what it printed. */
    private static final class MemberProcess {
        final Process process;
        final List<String> handled = new CopyOnWriteArrayList<>();
        final CountDownLatch joined = new CountDownLatch(1);

        private MemberProcess(Process process) {
            this.process = process;
        }

        static MemberProcess start(String url, String topic, String group, int haltAfter) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", GroupMemberProcess.class.getName(), url, topic, group,
                    Integer.toString(haltAfter)).redirectErrorStream(true).start();
            MemberProcess member = new MemberProcess(process);
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = process.inputReader()) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        if (line.equals("joined")) {
                            member.joined.countDown();
                        } else if (line.startsWith("handled ")) {
                            member.handled.add(line.substring("handled ".length()));
                        } else {
                            LOG.info("member process: {}", line);
                        }
                    }
                } catch (IOException e) {
                    LOG.debug("member process output ended", e);
                }
            }, "member-process-reader");
            reader.setDaemon(true);
            reader.start();
            if (!member.joined.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the member process did not join its group");
            }
            return member;
        }

        String last() {
            return handled.isEmpty() ? "-" : handled.get(handled.size() - 1);
        }
    }
}
