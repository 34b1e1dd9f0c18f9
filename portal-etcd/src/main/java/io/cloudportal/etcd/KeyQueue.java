package io.cloudportal.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue protocol of etcd's {@code concurrency} package, which {@code etcdctl lock} and
 * {@code etcdctl elect} use: every contender puts a key under a prefix, bound to its lease, and
 * the key with the lowest create revision is first. A contender's turn comes when no older key
 * is left.
 *
 * <p>How a contender learns that differs from etcd's, for speed, not for compatibility. etcd's
 * client opens a watch per wait, from the revision of its last read, which puts it among the
 * unsynced watchers that etcd catches up only every 100 ms, and reads the queue again after each
 * delete. Here one watch per queue and connection keeps a local copy of the queue (listed once,
 * then updated by every put and delete), and a waiter is told the moment the copy shows it first:
 * a hand-over costs the holder's delete and nothing else. The watch stays open while anyone waits
 * and a little longer, so a busy lock costs no set-up per acquisition; each time jetcd
 * re-creates it (after a reconnect) the copy is listed afresh, since a resumed watch may skip.
 */
final class KeyQueue {

    private static final Logger LOG = LoggerFactory.getLogger(KeyQueue.class);
    private static final long IDLE_CLOSE_MILLIS = 30_000;

    private final EtcdConnection connection;
    private final ByteSequence prefix;
    /** The local copy: create revision → key, and key → create revision. */
    private final TreeMap<Long, ByteSequence> byCreation = new TreeMap<>();
    private final Map<ByteSequence, Long> creationOf = new HashMap<>();
    /** The revision the copy is complete up to; -1 while it is being listed. */
    private long copyRevision = -1;
    /** Events that arrived while the copy was being listed. */
    private final List<WatchEvent> pending = new ArrayList<>();
    private final Set<Turn> waiting = new LinkedHashSet<>();
    /** The key names this connection has in the queue now; see {@link #keyName}. */
    private final java.util.BitSet slots = new java.util.BitSet();
    private Watch.Watcher watcher;
    /** Counts the watches and listings this queue started; callbacks of older ones are ignored. */
    private int generation;
    private ScheduledFuture<?> idleClose;

    /**
     * A queue under a prefix.
     *
     * @param connection the connection
     * @param prefix the etcd key prefix, ending in {@code /}
     */
    KeyQueue(EtcdConnection connection, String prefix) {
        this.connection = connection;
        this.prefix = EtcdConnection.bytes(prefix);
    }

    /**
     * The name of a contender's key: the lease in hex, as etcdctl names it, with a suffix for a
     * second key of the same connection at once (two threads contending). Names are reused, so
     * etcd's key index does not grow with every acquisition until the next compaction; each
     * re-creation still gets a new create revision.
     */
    static String keyName(EtcdSession.Lease lease, int slot) {
        return slot == 0 ? lease.hex() : lease.hex() + "_" + slot;
    }

    /** Takes the lowest key name this connection does not use in the queue now. */
    synchronized int takeSlot() {
        int slot = slots.nextClearBit(0);
        slots.set(slot);
        return slot;
    }

    /** Gives a key name back once its key is deleted (or its put found the name taken and it is left marked). */
    synchronized void freeSlot(int slot) {
        slots.clear(slot);
    }

    /**
     * Deletes a contender's key, retrying until etcd confirms it or the lease it was put with is
     * gone (taking the key along), then gives its name back. A key left behind on a lease the
     * session keeps renewing would block the queue for as long as the connection lives.
     *
     * @return completes when the key is gone
     */
    CompletableFuture<Void> remove(ByteSequence key, EtcdSession.Lease lease, int slot) {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        removeAttempt(key, lease, slot, gone, 100);
        return gone;
    }

    private void removeAttempt(ByteSequence key, EtcdSession.Lease lease, int slot, CompletableFuture<Void> gone, long backoffMillis) {
        connection.client().getKVClient().delete(key).whenComplete((response, error) -> {
            if (error == null || !connection.session().lease().equals(lease) || connection.session().isClosed()) {
                freeSlot(slot);
                gone.complete(null);
                return;
            }
            LOG.debug("Deleting {} failed ({}); trying again in {} ms", key, error.toString(), backoffMillis);
            if (connection.schedule(() -> removeAttempt(key, lease, slot, gone, Math.min(backoffMillis * 2, 2_000)), backoffMillis).isEmpty()) {
                gone.complete(null); // the connection is closing; revoking its lease removes the key
            }
        });
    }

    /** The first key in the queue (the holder, the leader), read from etcd. */
    CompletableFuture<java.util.Optional<KeyValue>> first() {
        return connection.client().getKVClient().get(prefix, GetOption.builder().isPrefix(true)
                        .withSortField(GetOption.SortTarget.CREATE).withSortOrder(GetOption.SortOrder.ASCEND).withLimit(1).build())
                .thenApply(response -> response.getKvs().stream().findFirst());
    }

    /** When a contender holds, judged on the keys older than its own (create revision → key). */
    interface Rule {
        boolean holds(java.util.SortedMap<Long, ByteSequence> older);

        /** Fewer than {@code places} older keys: a lock or a leader (one place), a semaphore's permits. */
        static Rule places(int places) {
            return older -> places == 1 ? older.isEmpty() : older.size() < places;
        }

        /** No older key under a prefix: a reader, behind no writer. */
        static Rule noneUnder(ByteSequence prefix) {
            return older -> older.values().stream().noneMatch(key -> key.startsWith(prefix));
        }
    }

    /**
     * Completes with true once the rule says this contender holds, or with false as soon as its
     * own key is gone (its lease expired). Cancel the result to stop waiting.
     */
    Turn awaitTurn(ByteSequence ownKey, long createRevision, Rule rule) {
        Turn turn = new Turn(ownKey, createRevision, rule);
        synchronized (this) {
            if (idleClose != null) {
                idleClose.cancel(false);
                idleClose = null;
            }
            waiting.add(turn);
            if (watcher == null) {
                startWatch();
            }
        }
        turn.whenComplete((result, error) -> leave(turn));
        decide();
        return turn;
    }

    /** Starts the queue's watch; runs under this object's lock. */
    private void startWatch() {
        int current = ++generation;
        copyRevision = -1;
        pending.clear();
        watcher = connection.client().getWatchClient().watch(prefix,
                WatchOption.builder().isPrefix(true).withCreateNotify(true).build(), new Watch.Listener() {
                    @Override
                    public void onNext(WatchResponse response) {
                        if (response.isCreatedNotify()) {
                            list(current);
                        } else if (!response.getEvents().isEmpty()) {
                            applied(current, response.getEvents());
                        }
                    }

                    @Override
                    public void onError(Throwable error) {
                        // jetcd re-creates the watch and announces it with a new created notification.
                        LOG.debug("Queue watch on {} broke: {}", prefix, error.toString());
                        synchronized (KeyQueue.this) {
                            if (current == generation) {
                                copyRevision = -1;
                                pending.clear();
                            }
                        }
                    }

                    @Override
                    public void onCompleted() {
                        // jetcd gave up on the watch (a halt error) or we closed it.
                        synchronized (KeyQueue.this) {
                            if (current != generation) {
                                return;
                            }
                            watcher = null;
                            if (!waiting.isEmpty()) {
                                connection.schedule(KeyQueue.this::restart, 500);
                            }
                        }
                    }
                });
    }

    private synchronized void restart() {
        if (watcher == null && !waiting.isEmpty()) {
            startWatch();
        }
    }

    /** Lists the queue once the watch exists: with the events after the listing, the copy is complete. */
    private void list(int from) {
        synchronized (this) {
            if (from != generation) {
                return;
            }
            copyRevision = -1;
            pending.clear();
        }
        connection.client().getKVClient().get(prefix, GetOption.builder().isPrefix(true).withKeysOnly(true).build())
                .whenComplete((GetResponse listing, Throwable error) -> {
                    if (error != null) {
                        LOG.debug("Listing queue {} failed: {}", prefix, error.toString());
                        connection.schedule(() -> list(from), 500);
                        return;
                    }
                    synchronized (this) {
                        if (from != generation) {
                            return;
                        }
                        byCreation.clear();
                        creationOf.clear();
                        for (KeyValue kv : listing.getKvs()) {
                            byCreation.put(kv.getCreateRevision(), kv.getKey());
                            creationOf.put(kv.getKey(), kv.getCreateRevision());
                        }
                        copyRevision = listing.getHeader().getRevision();
                        List<WatchEvent> buffered = new ArrayList<>(pending);
                        pending.clear();
                        apply(buffered);
                    }
                    decide();
                });
    }

    private void applied(int from, List<WatchEvent> events) {
        synchronized (this) {
            if (from != generation) {
                return;
            }
            if (copyRevision < 0) {
                pending.addAll(events);
                return;
            }
            apply(events);
        }
        decide();
    }

    /** Applies events newer than the copy; runs under this object's lock. */
    private void apply(List<WatchEvent> events) {
        for (WatchEvent event : events) {
            KeyValue kv = event.getKeyValue();
            if (kv.getModRevision() <= copyRevision) {
                continue;
            }
            if (event.getEventType() == WatchEvent.EventType.PUT) {
                if (!creationOf.containsKey(kv.getKey())) {
                    byCreation.put(kv.getCreateRevision(), kv.getKey());
                    creationOf.put(kv.getKey(), kv.getCreateRevision());
                }
            } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                Long created = creationOf.remove(kv.getKey());
                if (created != null) {
                    byCreation.remove(created);
                }
            }
            copyRevision = kv.getModRevision();
        }
    }

    /** Tells every waiter whose turn the copy decides. */
    private void decide() {
        List<Turn> first = new ArrayList<>();
        List<Turn> gone = new ArrayList<>();
        synchronized (this) {
            if (copyRevision < 0) {
                return;
            }
            for (Turn turn : waiting) {
                if (copyRevision < turn.createRevision) {
                    continue; // the copy has not seen this contender's own put yet
                }
                Long own = creationOf.get(turn.ownKey);
                if (own == null || own != turn.createRevision) {
                    gone.add(turn);
                } else if (turn.rule.holds(byCreation.headMap(turn.createRevision))) {
                    first.add(turn);
                }
            }
        }
        first.forEach(turn -> turn.complete(true));
        gone.forEach(turn -> turn.complete(false));
    }

    private void leave(Turn turn) {
        synchronized (this) {
            waiting.remove(turn);
            if (waiting.isEmpty() && watcher != null && idleClose == null) {
                Watch.Watcher candidate = watcher;
                idleClose = connection.schedule(() -> closeIfIdle(candidate), IDLE_CLOSE_MILLIS).orElse(null);
            }
        }
    }

    private void closeIfIdle(Watch.Watcher candidate) {
        synchronized (this) {
            idleClose = null;
            if (!waiting.isEmpty() || watcher != candidate) {
                return;
            }
            watcher = null;
            generation++;
            copyRevision = -1;
            byCreation.clear();
            creationOf.clear();
        }
        candidate.close();
    }

    /** A wait for one's turn; complete when first (or out of the queue), cancelled when given up. */
    static final class Turn extends CompletableFuture<Boolean> {
        private final ByteSequence ownKey;
        private final long createRevision;
        private final Rule rule;

        private Turn(ByteSequence ownKey, long createRevision, Rule rule) {
            this.ownKey = ownKey;
            this.createRevision = createRevision;
            this.rule = rule;
        }
    }
}
