package io.cloudportal.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvStore;
import io.cloudportal.spi.Deadline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The contract of {@link KvStore}: versions, compare-and-set, TTL keys and ordered, lossless prefix watches. */
@Requires(Facility.KV_STORE)
public abstract class KvStoreContract extends ContractSupport {

    /**
     * While the server does not answer, every call that needs it fails as the taxonomy says,
     * {@link UnavailableException} (of which {@link io.cloudportal.PortalTimeoutException} is one),
     * within the connection's operation timeout and the slack: never a bare
     * {@link io.cloudportal.PortalException}, a vendor's exception, or a wait without end.
     */
    @Test
    void everyCallFailsAsUnavailableWithinItsBoundWhileTheServerIsFrozen() throws Exception {
        if (!canInject(Fault.SERVER_FROZEN)) {
            return;
        }
        Duration operationTimeout = Duration.ofSeconds(2);
        Duration bound = operationTimeout.plus(Deadline.SLACK).plus(Duration.ofSeconds(1));
        Portal victim = open(java.util.Map.of("operationTimeout", operationTimeout.toMillis() + "ms"));
        String root = unique("frozen");
        victim.kvStore().put(root + "/k", new byte[] {1});
        List<String> outcomes = new ArrayList<>();
        try (AutoCloseable frozen = harness().freeze(victim)) {
            outcomes.add(outcome("get", bound, () -> victim.kvStore().get(root + "/k")));
            outcomes.add(outcome("put", bound, () -> victim.kvStore().put(root + "/k", new byte[] {2})));
            outcomes.add(outcome("compareAndSet", bound, () -> victim.kvStore().compareAndSet(root + "/new", 0, new byte[] {3})));
            outcomes.add(outcome("delete", bound, () -> victim.kvStore().delete(root + "/k")));
            outcomes.add(outcome("list", bound, () -> victim.kvStore().list(root)));
        }
        figure("outcomes", String.join(" ", outcomes));
    }

    /** One KV call against the frozen server: it may answer (from a cache) or fail as unavailable, within the bound. */
    private static String outcome(String call, Duration bound, java.util.concurrent.Callable<?> action) {
        return withinBound(call, bound, UnavailableException.class, () -> {
            action.call();
            return "answered";
        });
    }

    private static final int WRITERS = 8;

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /**
     * With history, every event has its own, greater revision. Without it, a revision is what the
     * driver observed after the change, so consecutive events may share one; it never goes back.
     */
    private boolean outOfOrder(long previous, long next) {
        return declares(Guarantee.KV_WATCH_VALUES) ? next <= previous : next < previous;
    }

    @Test
    void putThenGetFromAnotherConnection() {
        String key = unique("app") + "/db/url";
        KeyValue stored = open().kvStore().put(key, bytes("jdbc:postgresql://db/orders ✓"));
        Optional<KeyValue> read = open().kvStore().get(key);
        assertThat(read).isPresent();
        assertThat(read.get().valueAsString()).isEqualTo("jdbc:postgresql://db/orders ✓");
        assertThat(read.get().version()).isEqualTo(stored.version());
        assertThat(open().kvStore().get(key + "-absent")).isEmpty();
    }

    @Test
    void versionsChangeOnEveryWriteAndNeverRepeatAcrossDeleteAndRecreate() {
        KvStore kv = open().kvStore();
        String key = unique("versions") + "/k";
        Set<Long> seen = new HashSet<>();
        long previous = 0;
        for (int i = 0; i < 5; i++) {
            long version = kv.put(key, bytes("v" + i)).version();
            assertThat(version).isGreaterThan(previous);
            assertThat(seen.add(version)).as("version %d seen before", version).isTrue();
            previous = version;
            if (i % 2 == 1) {
                assertThat(kv.delete(key)).isTrue();
            }
        }
        assertThat(kv.delete(key)).isTrue();
        assertThat(kv.delete(key)).as("deleting an absent key").isFalse();
    }

    @Test
    void compareAndSetUnderConcurrentWritersCountsEverySuccess() throws Exception {
        String key = unique("counter") + "/value";
        open().kvStore().put(key, bytes("0"));
        List<KvStore> stores = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            stores.add(open().kvStore());
        }
        int attemptsPerWriter = 25;
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        List<Future<Integer>> successes = new ArrayList<>();
        try {
            for (KvStore store : stores) {
                successes.add(writers.submit(() -> {
                    int won = 0;
                    for (int i = 0; i < attemptsPerWriter; i++) {
                        KeyValue current = store.get(key).orElseThrow();
                        int next = Integer.parseInt(current.valueAsString()) + 1;
                        if (store.compareAndSet(key, current.version(), bytes(Integer.toString(next))).isPresent()) {
                            won++;
                        }
                    }
                    return won;
                }));
            }
            int total = 0;
            for (Future<Integer> future : successes) {
                total += future.get(5, TimeUnit.MINUTES);
            }
            int finalValue = Integer.parseInt(open().kvStore().get(key).orElseThrow().valueAsString());
            figure("successfulCas", total);
            figure("finalValue", finalValue);
            assertThat(total).as("successful compare-and-sets").isPositive();
            assertThat(finalValue).as("final value vs successful compare-and-sets").isEqualTo(total);
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void compareAndSetWithVersionZeroCreatesOnlyIfAbsent() {
        KvStore kv = open().kvStore();
        String key = unique("create") + "/k";
        Optional<KeyValue> created = kv.compareAndSet(key, 0, bytes("first"));
        assertThat(created).isPresent();
        assertThat(kv.compareAndSet(key, 0, bytes("second"))).isEmpty();
        assertThat(kv.compareAndSet(key, created.get().version() + 1_000_000, bytes("third"))).isEmpty();
        assertThat(kv.get(key).orElseThrow().valueAsString()).isEqualTo("first");
    }

    @Test
    void listReturnsTheKeysUnderAPrefixSorted() {
        KvStore kv = open().kvStore();
        String root = unique("list");
        kv.put(root + "/b", bytes("2"));
        kv.put(root + "/a", bytes("1"));
        kv.put(root + "/c/d", bytes("3"));
        kv.put(root + "x/other", bytes("no"));
        assertThat(kv.list(root + "/")).extracting(KeyValue::key).containsExactly(root + "/a", root + "/b", root + "/c/d");
    }

    @Test
    void aWatchDeliversEveryChangeInOrder() {
        String prefix = unique("watch") + "/";
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        open().kvStore().watch(prefix, events::add);
        KvStore writer = open().kvStore();
        int changes = 500;
        for (int i = 0; i < changes; i++) {
            writer.put(prefix + "k" + (i % 10), bytes(Integer.toString(i)));
        }
        writer.delete(prefix + "k0");
        await().atMost(PATIENCE).until(() -> events.size() >= changes + 1);
        long reordered = 0;
        for (int i = 1; i < events.size(); i++) {
            if (outOfOrder(events.get(i - 1).revision(), events.get(i).revision())) {
                reordered++;
            }
        }
        long lost = changes + 1 - events.size();
        figure("lost", lost);
        figure("reordered", reordered);
        assertThat(reordered).as("events out of revision order").isZero();
        for (int i = 0; i < changes; i++) {
            KvEvent event = events.get(i);
            assertThat(event.type()).isEqualTo(KvEvent.Type.PUT);
            assertThat(event.key()).isEqualTo(prefix + "k" + (i % 10));
            if (declares(Guarantee.KV_WATCH_VALUES)) {
                assertThat(event.value().orElseThrow().valueAsString()).as("value of change " + i).isEqualTo(Integer.toString(i));
            } else {
                // Without history the value is read after the event: one written to this key by this
                // change or a later one, never an older one.
                int change = i;
                event.value().ifPresent(value -> assertThat(Integer.parseInt(value.valueAsString()))
                        .as("value of change " + change).isGreaterThanOrEqualTo(change)
                        .satisfies(written -> assertThat(written % 10).isEqualTo(change % 10)));
            }
        }
        if (!declares(Guarantee.KV_WATCH_VALUES)) {
            figure("valuesAsWritten", "n/a (KV_WATCH_VALUES not declared)");
        }
        assertThat(events.get(changes).type()).isEqualTo(KvEvent.Type.DELETE);
        assertThat(events.get(changes).key()).isEqualTo(prefix + "k0");
        assertThat(events).hasSize(changes + 1);
    }

    @Test
    void aKeyWithATimeToLiveExpires() {
        KvStore kv = open().kvStore();
        String key = unique("ttl") + "/session";
        if (!declares(Guarantee.KV_TTL)) {
            assertThatThrownBy(() -> kv.put(key, bytes("x"), Duration.ofSeconds(1))).isInstanceOf(UnsupportedFacilityException.class);
            notApplicable("KV_TTL not declared; put with a ttl rejected");
            return;
        }
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        open().kvStore().watch(key, events::add);
        // The writer goes away at once: the server, not the client, must remove the key.
        Portal writer = harness().connect();
        writer.kvStore().put(key, bytes("alive"), Duration.ofSeconds(1));
        writer.close();
        kv.put(key + "-kept", bytes("stays"));
        assertThat(kv.get(key)).as("the key right after the put").isPresent();
        await().atMost(PATIENCE).until(() -> kv.get(key).isEmpty());
        await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.type() == KvEvent.Type.DELETE && e.key().equals(key)));
        assertThat(kv.get(key + "-kept")).isPresent();
    }

    @Test
    void aWatchLosesNothingAcrossSessionExpiry() throws Exception {
        if (canInject(Fault.SESSION_EXPIRY)) {
            watchLosesNothingAcross(Fault.SESSION_EXPIRY);
        }
    }

    @Test
    void aWatchLosesNothingAcrossAConnectionCut() throws Exception {
        if (canInject(Fault.CONNECTION_CUT)) {
            watchLosesNothingAcross(Fault.CONNECTION_CUT);
        }
    }

    @Test
    void aWatchLosesNothingAcrossAServerRestart() throws Exception {
        if (canInject(Fault.SERVER_RESTART)) {
            watchLosesNothingAcross(Fault.SERVER_RESTART);
        }
    }

    /** Writes continue from another connection during the fault; the watcher sees every one, or a resync it can re-list from. */
    private void watchLosesNothingAcross(Fault fault) throws Exception {
        String prefix = unique("watch-fault") + "/";
        Portal watcherConnection = open();
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        watcherConnection.kvStore().watch(prefix, events::add);
        KvStore writer = open().kvStore();
        List<String> written = new CopyOnWriteArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writerThread = new Thread(() -> {
            int i = 0;
            while (writing.get() || i < 20) {
                String key = prefix + "k" + i;
                try {
                    writer.put(key, bytes(Integer.toString(i)));
                    written.add(key);
                    i++;
                } catch (UnavailableException serverAway) {
                    Thread.onSpinWait();
                }
            }
        }, "tck-kv-writer");
        writerThread.start();
        try {
            await().atMost(PATIENCE).until(() -> written.size() >= 10);
            harness().inject(fault, watcherConnection);
        } finally {
            writing.set(false);
            writerThread.join(PATIENCE.toMillis());
        }
        String marker = prefix + "zz-marker";
        writer.put(marker, bytes("done"));
        // A watch that re-listed after the marker was written reports it through the RESYNC's listing, not as an event.
        await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.key().equals(marker))
                || events.stream().anyMatch(e -> e.type() == KvEvent.Type.RESYNC) && watcherConnection.kvStore().get(marker).isPresent());
        boolean resynced = events.stream().anyMatch(e -> e.type() == KvEvent.Type.RESYNC);
        Set<String> seen = new HashSet<>();
        events.stream().filter(e -> e.type() == KvEvent.Type.PUT).forEach(e -> seen.add(e.key()));
        if (resynced) {
            watcherConnection.kvStore().list(prefix).forEach(kv -> seen.add(kv.key()));
        }
        long lost = written.stream().filter(key -> !seen.contains(key)).count();
        long reordered = 0;
        long last = Long.MIN_VALUE;
        for (KvEvent event : events) {
            if (event.type() != KvEvent.Type.RESYNC) {
                if (outOfOrder(last, event.revision())) {
                    reordered++;
                }
                last = event.revision();
            }
        }
        figure("written", written.size());
        figure("lost", lost);
        figure("reordered", reordered);
        figure("resync", resynced);
        assertThat(lost).as("changes the watch never reported").isZero();
        assertThat(reordered).as("events out of revision order").isZero();
    }
}
