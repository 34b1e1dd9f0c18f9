package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Portal next to etcd's own command-line client on the same server: {@code etcdctl lock} and a
 * Portal lock exclude each other both ways, and {@code etcdctl elect --listen} sees Portal's leader.
 * Needs {@code etcdctl} (Debian package {@code etcd-client}).
 */
class EtcdInteropIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String ETCDCTL = "/usr/bin/etcdctl";
    private static final EtcdHarness HARNESS = EtcdHarness.INSTANCE;
    private final List<Process> processes = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void etcdctlIsInstalled() {
        assertThat(Files.isExecutable(Paths.get(ETCDCTL)))
                .as(ETCDCTL + " is needed: apt-get install etcd-client (scripts/test installs it)").isTrue();
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts etcdctl and collects what it prints, line by line. */
    private List<String> etcdctl(String... arguments) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(ETCDCTL, "--endpoints=" + HARNESS.server().endpoint()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        Process process = builder.start();
        processes.add(process);
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ended) {
                // the process went away
            }
        }, "etcdctl-output");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    /** A counter is a decimal at <root>/counters/<name>: etcdctl reads what Portal counted, and Portal counts on from what etcdctl put. */
    @Test
    void etcdctlReadsAndSetsAPortalCounter() throws Exception {
        String name = "count-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String etcdKey = "/tck/counters/" + name;
        try (var portal = HARNESS.connect()) {
            io.cloudportal.coordination.Counter counter = portal.counter(name);
            assertThat(counter.addAndGet(41)).isEqualTo(41);
            List<String> read = etcdctl("get", "--print-value-only", etcdKey);
            await().atMost(PATIENCE).until(() -> read.contains("41"));
            List<String> put = etcdctl("put", etcdKey, "100");
            await().atMost(PATIENCE).until(() -> put.contains("OK"));
            assertThat(counter.incrementAndGet()).as("an increment after etcdctl put 100").isEqualTo(101);
        }
    }

    /**
     * A snapshot's revision is etcd's own: {@code etcdctl watch --rev} from the next one sees the
     * same changes as Portal's watch from it. Once {@code etcdctl compact} has removed that
     * history, a Portal watch from the snapshot starts with a RESYNC, never a silent gap.
     */
    @Test
    void aSnapshotRevisionIsEtcdsOwnAndAWatchFromACompactedOneSaysResync() throws Exception {
        String prefix = "snap-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        try (Portal portal = HARNESS.connect()) {
            var kv = portal.kvStore();
            kv.put(prefix + "a", "1".getBytes(StandardCharsets.UTF_8));
            var snapshot = kv.snapshot(prefix);
            kv.put(prefix + "a", "2".getBytes(StandardCharsets.UTF_8));
            kv.put(prefix + "b", "3".getBytes(StandardCharsets.UTF_8));
            List<String> watched = etcdctl("watch", "--prefix", "--rev=" + (snapshot.revision() + 1), "/tck/kv/" + prefix);
            await().atMost(PATIENCE).until(() -> watched.contains("3"));
            assertThat(watched).containsSubsequence("PUT", "/tck/kv/" + prefix + "a", "2", "PUT", "/tck/kv/" + prefix + "b", "3");
            long now = kv.put(prefix + "c", "4".getBytes(StandardCharsets.UTF_8)).version();
            List<String> compacted = etcdctl("compact", Long.toString(now));
            await().atMost(PATIENCE).until(() -> compacted.stream().anyMatch(line -> line.contains("compacted revision " + now)));
            List<io.cloudportal.kv.KvEvent> events = new CopyOnWriteArrayList<>();
            try (var watch = kv.watch(prefix, snapshot.revision(), events::add)) {
                await().atMost(PATIENCE).until(() -> !events.isEmpty());
                assertThat(events.get(0).type()).as("the first event of a watch from compacted history")
                        .isEqualTo(io.cloudportal.kv.KvEvent.Type.RESYNC);
                assertThat(events.get(0).revision()).isGreaterThanOrEqualTo(now);
                // The RESYNC's listing is the state then; the changes after it follow as events.
                long later = kv.put(prefix + "d", "5".getBytes(StandardCharsets.UTF_8)).version();
                await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.revision() == later && e.key().equals(prefix + "d")));
            }
        }
    }

    /**
     * A member as etcd's {@code recipe.DoubleBarrier} writes one (a key under {@code waiters/} on its lease, put here
     * with etcdctl) counts toward Portal's barrier; Portal puts {@code ready} where the recipe's waiters wait for it, and
     * the recipe member's lease ending counts as it leaving.
     */
    @Test
    void aWaiterKeyInEtcdsRecipeLayoutIsAMemberOfPortalsDoubleBarrier() throws Exception {
        String name = "interop-" + UUID.randomUUID().toString().substring(0, 8);
        String base = "/tck/double-barriers/" + name;
        try (Portal portal = HARNESS.connect()) {
            List<String> granted = etcdctl("lease", "grant", "60");
            await().atMost(PATIENCE).until(() -> granted.stream().anyMatch(line -> line.startsWith("lease ")));
            String lease = granted.stream().filter(line -> line.startsWith("lease ")).findFirst().orElseThrow().split(" ")[1];
            List<String> put = etcdctl("put", "--lease=" + lease, base + "/waiters/" + System.nanoTime(), "");
            await().atMost(PATIENCE).until(() -> put.contains("OK"));
            var member = portal.doubleBarrier(name, 2);
            assertThat(member.entered()).as("the recipe's waiter, seen by Portal").isEqualTo(1);
            assertThat(member.enter(PATIENCE)).as("Portal's member, the second of two").isTrue();
            List<String> ready = etcdctl("get", "--keys-only", "--prefix", base + "/");
            await().atMost(PATIENCE).until(() -> ready.contains(base + "/ready"));
            List<String> revoked = etcdctl("lease", "revoke", lease);
            await().atMost(PATIENCE).until(() -> revoked.stream().anyMatch(line -> line.contains("revoked")));
            assertThat(member.leave(PATIENCE)).as("leaving once the recipe member's lease ended").isTrue();
            var etcd = portal.unwrap(io.etcd.jetcd.Client.class).orElseThrow();
            long left = etcd.getKVClient().get(io.etcd.jetcd.ByteSequence.from(base + "/", StandardCharsets.UTF_8),
                    io.etcd.jetcd.options.GetOption.builder().isPrefix(true).withCountOnly(true).build()).get(10, TimeUnit.SECONDS).getCount();
            assertThat(left).as("keys under the barrier once everyone left (the ready key cleared)").isZero();
        }
    }

    @Test
    void etcdctlLockAndPortalLockExcludeEachOther() throws Exception {
        String name = "interop-" + UUID.randomUUID().toString().substring(0, 8);
        String etcdKey = "/tck/locks/" + name;
        try (Portal portal = HARNESS.connect()) {
            // etcdctl first: Portal waits for it.
            List<String> first = etcdctl("lock", etcdKey);
            await().atMost(PATIENCE).until(() -> first.stream().anyMatch(line -> line.startsWith(etcdKey + "/")));
            assertThat(portal.lock(name).tryAcquire(Duration.ofSeconds(1))).as("Portal while etcdctl holds the lock").isEmpty();
            processes.remove(0).destroy(); // etcdctl unlocks on SIGTERM
            try (HeldLock held = portal.lock(name).acquire(PATIENCE)) {
                // Portal first: etcdctl waits for it.
                List<String> second = etcdctl("lock", etcdKey);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                        .until(() -> second.stream().noneMatch(line -> line.startsWith(etcdKey + "/")));
                assertThat(held.isHeld()).isTrue();
                held.close();
                await().atMost(PATIENCE).until(() -> second.stream().anyMatch(line -> line.startsWith(etcdKey + "/")));
            }
        }
    }

    @Test
    void etcdctlElectListenSeesThePortalLeader() throws Exception {
        String name = "interop-" + UUID.randomUUID().toString().substring(0, 8);
        try (Portal portal = HARNESS.connect();
             Candidacy candidacy = portal.leaderElection(name).join("portal-node-1", event -> { })) {
            assertThat(candidacy.awaitLeadership(PATIENCE)).isTrue();
            List<String> observed = etcdctl("elect", "--listen", "/tck/elections/" + name);
            await().atMost(PATIENCE).until(() -> observed.contains("portal-node-1"));
            // And an etcdctl candidate queues behind Portal's leader until it steps down.
            List<Optional<io.cloudportal.leader.Leader>> heard = new CopyOnWriteArrayList<>();
            portal.leaderElection(name).observe(heard::add);
            List<String> candidate = etcdctl("elect", "/tck/elections/" + name, "etcdctl-node");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> !candidate.contains("etcdctl-node"));
            await().atMost(PATIENCE).until(() -> portal.leaderElection(name).participants().equals(List.of("portal-node-1", "etcdctl-node")));
            candidacy.close();
            await().atMost(PATIENCE).until(() -> candidate.contains("etcdctl-node"));
            assertThat(portal.leaderElection(name).currentLeader()).hasValueSatisfying(
                    leader -> assertThat(leader.candidateId()).isEqualTo("etcdctl-node"));
            // A Portal observer followed the hand-over to the etcdctl candidate.
            await().atMost(PATIENCE).until(() -> heard.stream().flatMap(Optional::stream).map(io.cloudportal.leader.Leader::candidateId)
                    .toList().equals(List.of("portal-node-1", "etcdctl-node")));
        }
    }
}
