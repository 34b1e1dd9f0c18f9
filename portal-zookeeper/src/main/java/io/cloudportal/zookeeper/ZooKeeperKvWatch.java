package io.cloudportal.zookeeper;

import io.cloudportal.ConnectionState;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvListener;
import io.cloudportal.kv.KvSnapshot;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One prefix watch of the KV store: one persistent recursive watch on {@code /kv}, whose events
 * and re-syncs are handled one at a time, in order, off ZooKeeper's threads. After a reconnect it
 * re-lists its prefix and reports what it could not see as a RESYNC followed by the differences.
 */
final class ZooKeeperKvWatch implements Watch, Watcher {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperKvWatch.class);
    private static final String BASE = ZooKeeperKvStore.BASE;

    private final ZooKeeperConnection connection;
    private final ZooKeeperKvStore store;
    private final String prefix;
    private final KvListener listener;
    private final ExecutorService events;
    /** A key whose create was seen after it was gone, held back for one event; only touched on the events thread. */
    private String createdAndGone;
    /** Key to the revision last reported for it; only touched on the events thread. */
    private final Map<String, Long> known = new HashMap<>();
    /**
     * Keys a catch-up delivered, to the version it gave (0: deleted); the watch's own events for
     * changes the catch-up already covered are dropped. Only touched on the events thread.
     */
    private final Map<String, Long> caughtUp = new HashMap<>();
    /** The revision of the last event delivered; only touched on the events thread. */
    private long lastDelivered;
    private AutoCloseable stateReaction;
    private volatile boolean closed;

    ZooKeeperKvWatch(ZooKeeperConnection connection, ZooKeeperKvStore store, String prefix, KvListener listener) {
        this.connection = connection;
        this.store = store;
        this.prefix = prefix;
        this.listener = listener;
        this.events = Executors.newSingleThreadExecutor(connection.context().threadFactory("kv-watch"));
    }

    /**
     * Arms the watch, then reads the prefix, both on the events thread, so every event the watch
     * sends is handled after that read. From a revision ({@code afterRevision >= 0}) the read
     * brings the listener up from that revision first ({@link #catchUp}).
     */
    void start(long afterRevision) throws Exception {
        java.util.concurrent.CompletableFuture<Void> started = new java.util.concurrent.CompletableFuture<>();
        submit(() -> {
            try {
                addWatch();
                KvSnapshot now = store.read(prefix);
                now.entries().forEach(kv -> known.put(kv.key(), kv.version()));
                if (afterRevision >= 0) {
                    catchUp(afterRevision, now);
                }
                started.complete(null);
            } catch (Exception e) {
                started.completeExceptionally(e);
            }
        });
        try {
            started.get();
        } catch (java.util.concurrent.ExecutionException e) {
            close();
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (InterruptedException e) {
            close();
            throw e;
        }
        stateReaction = connection.onState(state -> {
            if (state == ConnectionState.RECONNECTED) {
                submit(this::resync);
            }
        });
    }

    /**
     * From the state at {@code afterRevision} to {@code now}: a PUT per key written since, with its
     * value now, and a DELETE per key gone, which only a snapshot this connection took at that
     * revision can name; without one, a create or delete since (the base's pzxid) may hide a
     * delete, and a RESYNC comes first. Events the watch sends for the changes this covered are
     * dropped as they come ({@link #caughtUp}).
     */
    private void catchUp(long afterRevision, KvSnapshot now) {
        Optional<Map<String, Long>> then = store.snapshots().versionsAt(prefix, afterRevision);
        List<KvEvent> changes = new ArrayList<>();
        for (KeyValue kv : now.entries()) {
            Long before = then.map(versions -> versions.get(kv.key())).orElse(null);
            boolean changed = then.isPresent() ? before == null || before != kv.version() : kv.version() > afterRevision;
            if (changed) {
                changes.add(new KvEvent(KvEvent.Type.PUT, kv.key(), Optional.of(kv), kv.version()));
                caughtUp.put(kv.key(), kv.version());
            }
        }
        then.ifPresent(versions -> versions.keySet().stream().filter(key -> now.get(key).isEmpty()).sorted().forEach(key -> {
            changes.add(new KvEvent(KvEvent.Type.DELETE, key, Optional.empty(), now.revision()));
            caughtUp.put(key, 0L);
        }));
        if (then.isEmpty() && now.revision() > afterRevision && childChangeRevision() > afterRevision) {
            deliver(new KvEvent(KvEvent.Type.RESYNC, prefix, Optional.empty(), afterRevision + 1));
        }
        changes.sort(Comparator.comparingLong(KvEvent::revision));
        changes.forEach(this::deliver);
    }

    /** Idempotent: the client keeps one registration per watcher and path. */
    private void addWatch() throws Exception {
        connection.client().watchers().add().withMode(AddWatchMode.PERSISTENT_RECURSIVE).usingWatcher(this).forPath(BASE);
    }

    private void submit(Runnable task) {
        try {
            events.execute(() -> {
                if (!closed) {
                    task.run();
                }
            });
        } catch (RejectedExecutionException closedAlready) {
            // the watch was closed
        }
    }

    @Override
    public void process(WatchedEvent event) {
        if (event.getType() != Event.EventType.None && event.getPath() != null) {
            submit(() -> handle(event));
        }
    }

    /**
     * One event per change notification. ZooKeeper keeps no history and (before 3.10) sends no
     * zxid with an event, so a PUT carries the value read now and its mzxid, a DELETE the
     * zxid of the latest child change of {@code /kv}; revisions never decrease.
     */
    private void handle(WatchedEvent event) {
        String path = withoutNamespace(event.getPath());
        if (!path.startsWith(BASE + "/") || path.indexOf('/', BASE.length() + 1) >= 0) {
            return;
        }
        String key = ZooKeeperKvStore.key(path.substring(BASE.length() + 1));
        if (!key.startsWith(prefix)) {
            return;
        }
        if (createdAndGone != null) {
            String gone = createdAndGone;
            createdAndGone = null;
            if (event.getType() == Watcher.Event.EventType.NodeDeleted && gone.equals(key)) {
                // Created and deleted with no change between, its value never readable: a transaction's proof that
                // the key was absent (a create and a delete in one multi), or a key that did not live long enough to be seen.
                return;
            }
            deliver(new KvEvent(KvEvent.Type.PUT, gone, Optional.empty(), lastDelivered));
        }
        if (!caughtUp.isEmpty() && coveredByCatchUp(event.getType(), key)) {
            return;
        }
        switch (event.getType()) {
            case NodeCreated, NodeDataChanged -> {
                Optional<KeyValue> value = readQuietly(key);
                if (value.isEmpty() && event.getType() == Watcher.Event.EventType.NodeCreated) {
                    // Gone already: its delete comes next, unless other changes came between.
                    createdAndGone = key;
                    return;
                }
                long revision = Math.max(lastDelivered, value.map(KeyValue::version).orElse(lastDelivered));
                value.ifPresent(kv -> known.put(key, kv.version()));
                deliver(new KvEvent(KvEvent.Type.PUT, key, value, revision));
            }
            case NodeDeleted -> {
                known.remove(key);
                deliver(new KvEvent(KvEvent.Type.DELETE, key, Optional.empty(), Math.max(lastDelivered, childChangeRevision())));
            }
            default -> {
                // other events carry nothing a key watch needs
            }
        }
    }

    /**
     * Whether an event stands for a change the catch-up delivered already: a write whose value
     * now is the one the catch-up gave, or the delete of a key it reported gone, or a delete
     * before the catch-up of a key that it found written again (still at that version now).
     */
    private boolean coveredByCatchUp(Watcher.Event.EventType type, String key) {
        Long given = caughtUp.get(key);
        if (given == null) {
            return false;
        }
        long now = readQuietly(key).map(KeyValue::version).orElse(0L);
        boolean covered = switch (type) {
            case NodeCreated, NodeDataChanged, NodeDeleted -> now == given;
            default -> false;
        };
        if (!covered || type == Watcher.Event.EventType.NodeDeleted && given == 0) {
            caughtUp.remove(key);
        }
        return covered;
    }

    private long childChangeRevision() {
        try {
            Stat base = connection.client().checkExists().forPath(BASE);
            return base == null ? lastDelivered : base.getPzxid();
        } catch (Exception e) {
            LOG.debug("Reading the revision of a delete failed", e);
            return lastDelivered;
        }
    }

    /** Persistent watches see full paths; keys live under the connection's namespace. */
    private String withoutNamespace(String path) {
        String namespace = connection.client().getNamespace();
        if (namespace == null || namespace.isEmpty()) {
            return path;
        }
        String root = "/" + namespace;
        return path.startsWith(root + "/") ? path.substring(root.length()) : path;
    }

    private Optional<KeyValue> readQuietly(String key) {
        try {
            return store.get(key);
        } catch (RuntimeException e) {
            LOG.debug("Reading {} for a watch event failed", key, e);
            return Optional.empty();
        }
    }

    /** After a reconnect: what changed while events could not arrive is reported as a RESYNC and the differences. */
    private void resync() {
        List<KeyValue> now;
        long seen;
        try {
            // A watch belongs to a session: after an expiry the new session has none until it is
            // added again (after a plain reconnect this is a no-op).
            addWatch();
            now = store.read(prefix).entries();
            Stat base = connection.client().checkExists().forPath(BASE);
            seen = base == null ? 0 : base.getPzxid();
        } catch (Exception e) {
            LOG.warn("Re-syncing the watch of '{}' failed; retrying on the next reconnect", prefix, e);
            return;
        }
        List<KvEvent> differences = new ArrayList<>();
        Map<String, KeyValue> present = new HashMap<>();
        for (KeyValue kv : now) {
            present.put(kv.key(), kv);
            Long last = known.get(kv.key());
            if (last == null || kv.version() > last) {
                differences.add(new KvEvent(KvEvent.Type.PUT, kv.key(), Optional.of(kv), kv.version()));
            }
        }
        for (String key : new ArrayList<>(known.keySet())) {
            if (!present.containsKey(key)) {
                differences.add(new KvEvent(KvEvent.Type.DELETE, key, Optional.empty(), seen));
            }
        }
        if (differences.isEmpty()) {
            return;
        }
        differences.sort(Comparator.comparingLong(KvEvent::revision));
        long top = differences.get(differences.size() - 1).revision();
        deliver(new KvEvent(KvEvent.Type.RESYNC, prefix, Optional.empty(), Math.max(lastDelivered, differences.get(0).revision())));
        for (KvEvent difference : differences) {
            if (difference.type() == KvEvent.Type.PUT) {
                known.put(difference.key(), difference.revision());
            } else {
                known.remove(difference.key());
            }
            deliver(new KvEvent(difference.type(), difference.key(), difference.value(), Math.max(lastDelivered, difference.revision())));
        }
        LOG.info("Watch of '{}' re-synced after a reconnect: {} changes up to revision {}", prefix, differences.size(), top);
    }

    private void deliver(KvEvent event) {
        lastDelivered = Math.max(lastDelivered, event.revision());
        try {
            listener.changed(event);
        } catch (RuntimeException e) {
            LOG.warn("KV listener threw; later events still come", e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        store.forget(this);
        try {
            if (stateReaction != null) {
                stateReaction.close();
            }
            connection.client().watchers().remove(this).quietly().forPath(BASE);
        } catch (Exception e) {
            LOG.debug("Removing the watch of '{}' failed", prefix, e);
        }
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
