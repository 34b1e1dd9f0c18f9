package io.cloudportal.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvSnapshot;
import io.cloudportal.kv.KvStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link KvStore#snapshot(String)} and {@link KvStore#watch(String, long, io.cloudportal.kv.KvListener)}:
 * a snapshot plus the events of a watch from its revision is the state now, nothing lost and
 * nothing of the snapshot repeated, also while writers run and the server restarts; with
 * {@link Guarantee#KV_WATCH_HISTORY} that catch-up is every change, without it each changed key once.
 */
@Requires(Facility.KV_STORE)
public abstract class KvSnapshotContract extends ContractSupport {

    private static final int WRITERS = 4;
    private static final int KEYS_EACH = 50;

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /**
     * Four writers put and delete 200 keys under a prefix while a client takes a snapshot and
     * watches from its revision; the server restarts in the middle where the fixture can. The
     * client applies the events to the snapshot as a user would (a RESYNC makes it re-list) and
     * ends with the store's own state: keys lost or different 0, events repeating the snapshot 0;
     * with history, every acknowledged put after the snapshot arrives as its own event.
     */
    @Test
    void aSnapshotPlusTheEventsFromItsRevisionIsTheStateNowWhileWritersRunAndTheServerRestarts() throws Exception {
        Portal client = open();
        KvStore kv = client.kvStore();
        String prefix = unique("snapshot") + "/";
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger failedWrites = new AtomicInteger();
        Set<String> acknowledgedAfter = ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicLong snapshotRevision = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            KvStore writer = open().kvStore();
            int id = w;
            Thread thread = new Thread(() -> {
                Random random = new Random(id);
                while (running.get()) {
                    String key = prefix + "w" + id + "-" + random.nextInt(KEYS_EACH);
                    try {
                        if (random.nextInt(10) < 7) {
                            KeyValue put = writer.put(key, bytes(Integer.toString(random.nextInt(1_000_000))));
                            if (put.version() > snapshotRevision.get()) {
                                acknowledgedAfter.add(key + "@" + put.version());
                            }
                        } else {
                            writer.delete(key);
                        }
                        writes.incrementAndGet();
                    } catch (PortalException outage) {
                        failedWrites.incrementAndGet(); // the restart: applied or not, the final state tells
                    }
                }
            }, "tck-snapshot-writer-" + w);
            writers.add(thread);
            thread.start();
        }
        Map<String, KeyValue> state = new HashMap<>();
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        AtomicInteger repeatingTheSnapshot = new AtomicInteger();
        AtomicInteger resyncs = new AtomicInteger();
        Set<String> putEvents = ConcurrentHashMap.newKeySet();
        AtomicInteger putEventsTwice = new AtomicInteger();
        KvSnapshot snapshot;
        Watch watch;
        try {
            await().atMost(PATIENCE).until(() -> writes.get() >= 200);
            snapshot = kv.snapshot(prefix);
            snapshotRevision.set(snapshot.revision());
            assertThat(snapshot.prefix()).isEqualTo(prefix);
            assertThat(snapshot.entries()).as("a snapshot under load").isNotEmpty().isSortedAccordingTo(java.util.Comparator.comparing(KeyValue::key));
            synchronized (state) {
                snapshot.entries().forEach(entry -> state.put(entry.key(), entry));
            }
            long at = snapshot.revision();
            watch = kv.watch(prefix, at, event -> {
                events.add(event);
                synchronized (state) {
                    switch (event.type()) {
                        case RESYNC -> {
                            resyncs.incrementAndGet();
                            state.clear();
                            kv.list(prefix).forEach(entry -> state.put(entry.key(), entry));
                        }
                        case PUT -> {
                            if (event.revision() <= at) {
                                repeatingTheSnapshot.incrementAndGet();
                            }
                            KeyValue value = event.value().orElse(null);
                            if (value != null && !putEvents.add(value.key() + "@" + value.version()) && declares(Guarantee.KV_WATCH_HISTORY)) {
                                putEventsTwice.incrementAndGet();
                            }
                            KeyValue current = state.get(event.key());
                            if (value == null) {
                                state.remove(event.key());
                            } else if (current == null || current.version() < value.version()) {
                                state.put(event.key(), value);
                            }
                        }
                        case DELETE -> {
                            if (event.revision() <= at) {
                                repeatingTheSnapshot.incrementAndGet();
                            }
                            KeyValue current = state.get(event.key());
                            if (current != null && current.version() < event.revision()) {
                                state.remove(event.key());
                            }
                        }
                    }
                }
            });
            int before = writes.get();
            await().atMost(PATIENCE).until(() -> writes.get() >= before + 200);
            if (harness().faults().contains(Fault.SERVER_RESTART)) {
                harness().inject(Fault.SERVER_RESTART, client);
                figure("fault", "SERVER_RESTART");
                int after = writes.get();
                await().atMost(PATIENCE).until(() -> writes.get() >= after + 200);
            }
        } finally {
            running.set(false);
            for (Thread writer : writers) {
                writer.join(PATIENCE.toMillis());
            }
        }
        try (Watch closing = watch) {
            await().atMost(PATIENCE).untilAsserted(() -> {
                Map<String, String> expected = new HashMap<>();
                kv.list(prefix).forEach(entry -> expected.put(entry.key(), entry.version() + "=" + entry.valueAsString()));
                Map<String, String> seen = new HashMap<>();
                synchronized (state) {
                    state.values().forEach(entry -> seen.put(entry.key(), entry.version() + "=" + entry.valueAsString()));
                }
                assertThat(seen).as("the snapshot plus the events against the store").isEqualTo(expected);
            });
        }
        List<String> missing = new ArrayList<>();
        if (declares(Guarantee.KV_WATCH_HISTORY) && resyncs.get() == 0) {
            acknowledgedAfter.stream().filter(put -> !putEvents.contains(put)).forEach(missing::add);
        }
        figure("writes", writes.get());
        figure("failed writes", failedWrites.get());
        figure("snapshot entries", snapshot.entries().size());
        figure("events", events.size());
        figure("resyncs", resyncs.get());
        figure("keys lost or different", 0);
        figure("events repeating the snapshot", repeatingTheSnapshot.get());
        if (declares(Guarantee.KV_WATCH_HISTORY)) {
            figure("acknowledged puts without their event", missing.size());
            figure("puts delivered twice", putEventsTwice.get());
        }
        assertThat(repeatingTheSnapshot.get()).as("events at or before the snapshot's revision").isZero();
        assertThat(missing).as("acknowledged puts after the snapshot with no event of their own").isEmpty();
        assertThat(putEventsTwice.get()).as("a put delivered twice").isZero();
    }

    /**
     * A snapshot, then two puts of one key and a delete of another, then a watch from the
     * snapshot's revision. With history the watch replays each change with the value it wrote;
     * without it (the guarantee is absent, and this proves it) it brings the key's latest value
     * once and the delete. Either way the state it leaves is the store's.
     */
    @Test
    void aWatchFromASnapshotReplaysEachChangeWithHistoryAndEachChangedKeyOnceWithout() throws Exception {
        KvStore kv = open().kvStore();
        String prefix = unique("catchup") + "/";
        kv.put(prefix + "kept", bytes("0"));
        kv.put(prefix + "changed", bytes("1"));
        kv.put(prefix + "deleted", bytes("x"));
        kv.put(unique("outside"), bytes("not under the prefix"));
        KvSnapshot snapshot = kv.snapshot(prefix);
        assertThat(snapshot.entries()).extracting(KeyValue::key).containsExactly(prefix + "changed", prefix + "deleted", prefix + "kept");
        assertThat(snapshot.get(prefix + "changed").orElseThrow().valueAsString()).isEqualTo("1");
        assertThat(snapshot.revision()).as("the revision covers every entry").isGreaterThanOrEqualTo(
                snapshot.entries().stream().mapToLong(KeyValue::version).max().orElseThrow());
        KeyValue second = kv.put(prefix + "changed", bytes("2"));
        KeyValue third = kv.put(prefix + "changed", bytes("3"));
        kv.delete(prefix + "deleted");
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        try (Watch watch = kv.watch(prefix, snapshot.revision(), events::add)) {
            KeyValue fourth = kv.put(prefix + "changed", bytes("4"));
            await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.value().map(v -> v.version() == fourth.version()).orElse(false)));
            List<String> seen = events.stream().map(e -> e.type() + " " + e.key().substring(prefix.length())
                    + e.value().map(v -> "=" + v.valueAsString()).orElse("")).toList();
            figure("events", String.join(", ", seen));
            if (declares(Guarantee.KV_WATCH_HISTORY)) {
                assertThat(seen).containsExactly("PUT changed=2", "PUT changed=3", "DELETE deleted", "PUT changed=4");
                assertThat(events.get(0).value().orElseThrow().version()).isEqualTo(second.version());
                assertThat(events.get(1).value().orElseThrow().version()).isEqualTo(third.version());
            } else {
                assertThat(seen).as("no history: the latest value of the changed key, once, and the delete")
                        .startsWith("PUT changed=3", "DELETE deleted").endsWith("PUT changed=4").doesNotContain("PUT changed=2");
            }
            assertThat(events).extracting(KvEvent::revision).allMatch(revision -> revision > snapshot.revision()).isSorted();
        }
    }

    /**
     * Without history, a revision the driver cannot compare with (no snapshot of this connection
     * was taken there) after keys were created and deleted cannot prove which keys went away: the
     * watch says RESYNC first. With history it replays from there as from any revision.
     */
    @Test
    void aWatchFromARevisionThatCannotBeCaughtUpExactlySaysResyncFirst() throws Exception {
        KvStore kv = open().kvStore();
        String prefix = unique("unknown-point") + "/";
        KeyValue first = kv.put(prefix + "a", bytes("1"));
        kv.put(prefix + "b", bytes("2"));
        kv.delete(prefix + "a");
        List<KvEvent> events = new CopyOnWriteArrayList<>();
        try (Watch watch = kv.watch(prefix, first.version(), events::add)) {
            KeyValue last = kv.put(prefix + "c", bytes("3"));
            await().atMost(PATIENCE).until(() -> events.stream().anyMatch(e -> e.key().equals(prefix + "c")));
            figure("events", events.stream().map(e -> e.type() + " " + e.key().substring(Math.min(e.key().length(), prefix.length()))).toList());
            if (declares(Guarantee.KV_WATCH_HISTORY)) {
                assertThat(events).extracting(KvEvent::type).containsExactly(KvEvent.Type.PUT, KvEvent.Type.DELETE, KvEvent.Type.PUT);
            } else {
                assertThat(events.get(0).type()).as("the first event when deletes cannot be excluded").isEqualTo(KvEvent.Type.RESYNC);
                assertThat(events).extracting(KvEvent::key).contains(prefix + "b", prefix + "c");
            }
            assertThat(events.get(events.size() - 1).value().orElseThrow().version()).isEqualTo(last.version());
        }
    }

    @Test
    void badSnapshotAndWatchArgumentsAreRefusedBeforeAnyIo() {
        KvStore kv = open().kvStore();
        assertThatThrownBy(() -> kv.watch("p/", -1, event -> { })).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("afterRevision").hasMessageContaining("-1");
        assertThatThrownBy(() -> kv.watch("p/", 0, null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("listener");
        assertThatThrownBy(() -> kv.snapshot(null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("prefix");
        assertThatThrownBy(() -> kv.snapshot("a/../b")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("a/../b");
        assertThatThrownBy(() -> kv.watch("a\u0000b", 0, event -> { })).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("prefix");
    }
}
