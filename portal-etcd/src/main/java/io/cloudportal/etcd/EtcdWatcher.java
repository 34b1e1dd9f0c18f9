package io.cloudportal.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A prefix watch that loses nothing silently. jetcd re-creates a broken watch stream on its own,
 * but from a revision that may repeat the last events (after a progress notification or a fresh
 * create), and it gives up on halt errors and on compaction. This keeps the next revision it owes
 * the sink, drops anything older, starts a new jetcd watch from that revision when jetcd gives up,
 * and when that revision has been compacted away it re-lists the prefix and tells the sink to
 * resync from the listing's revision.
 */
final class EtcdWatcher implements AutoCloseable {

    /** Where the changes go, in revision order, one call at a time. */
    interface Sink {
        void events(List<WatchEvent> events);

        /** The watch could not resume: {@code listing} is the prefix's content at {@code revision}; events after it follow. */
        void resync(List<KeyValue> listing, long revision);
    }

    private static final Logger LOG = LoggerFactory.getLogger(EtcdWatcher.class);

    private final EtcdConnection connection;
    private final ByteSequence prefix;
    private final Sink sink;
    private static final long RETRY_MILLIS = 500;

    private long nextRevision;
    private boolean compacted;
    /** Counts the jetcd watches this one has used; callbacks of a replaced one are ignored. */
    private int generation;
    private boolean closed;
    private Watch.Watcher watcher;

    private EtcdWatcher(EtcdConnection connection, ByteSequence prefix, long nextRevision, Sink sink) {
        this.connection = connection;
        this.prefix = prefix;
        this.nextRevision = nextRevision;
        this.sink = sink;
    }

    /** Watches a prefix from a revision: the first event delivered is the first change at or after it. */
    static EtcdWatcher start(EtcdConnection connection, ByteSequence prefix, long fromRevision, Sink sink) {
        EtcdWatcher watcher = new EtcdWatcher(connection, prefix, fromRevision, sink);
        watcher.watch();
        return watcher;
    }

    private synchronized void watch() {
        if (closed) {
            return;
        }
        int current = ++generation;
        WatchOption option = WatchOption.builder().isPrefix(true).withRevision(nextRevision).build();
        watcher = connection.client().getWatchClient().watch(prefix, option, new Watch.Listener() {
            @Override
            public void onNext(WatchResponse response) {
                deliver(current, response.getEvents());
            }

            @Override
            public void onError(Throwable error) {
                LOG.debug("Watch on {} broke: {}", prefix, error.toString());
                boolean history = error instanceof CompactedException || error.getCause() instanceof CompactedException;
                synchronized (EtcdWatcher.this) {
                    compacted |= history;
                }
                replaceLater(current, history ? 0 : RETRY_MILLIS);
            }

            @Override
            public void onCompleted() {
                replaceLater(current, RETRY_MILLIS);
            }
        });
    }

    private synchronized void deliver(int from, List<WatchEvent> events) {
        if (closed || from != generation) {
            return;
        }
        List<WatchEvent> fresh = events.stream().filter(e -> e.getKeyValue().getModRevision() >= nextRevision).toList();
        if (fresh.isEmpty()) {
            return;
        }
        nextRevision = fresh.get(fresh.size() - 1).getKeyValue().getModRevision() + 1;
        sink.events(fresh);
    }

    /**
     * Replaces a broken jetcd watch with one from the revision owed, rather than letting jetcd resume
     * it: jetcd resumes from the revision of the create response, which skips the events a watch from
     * an older revision had not caught up on yet.
     */
    private void replaceLater(int broken, long delayMillis) {
        connection.schedule(() -> {
            try {
                replace(broken);
            } catch (RuntimeException e) {
                LOG.warn("Re-creating the watch on {} failed; trying again", prefix, e);
                replaceLater(broken, RETRY_MILLIS);
            }
        }, delayMillis);
    }

    private void replace(int broken) {
        Watch.Watcher old;
        boolean relist;
        synchronized (this) {
            if (closed || broken != generation) {
                return;
            }
            generation++;
            old = watcher;
            relist = compacted;
        }
        old.close();
        LOG.debug("Re-creating the watch on {} from revision {}{}", prefix, nextRevision, relist ? " after re-listing" : "");
        if (!relist) {
            watch();
            return;
        }
        // The history the watch owed is gone: list what is there now and carry on from that revision.
        int listingGeneration;
        synchronized (this) {
            listingGeneration = generation;
        }
        connection.client().getKVClient().get(prefix, GetOption.builder().isPrefix(true).build())
                .whenComplete((GetResponse listing, Throwable error) -> {
                    if (error != null) {
                        LOG.debug("Re-listing {} after compaction failed: {}", prefix, error.toString());
                        replaceLater(listingGeneration, RETRY_MILLIS);
                        return;
                    }
                    synchronized (this) {
                        if (closed || listingGeneration != generation) {
                            return;
                        }
                        long revision = listing.getHeader().getRevision();
                        compacted = false;
                        nextRevision = revision + 1;
                        LOG.debug("Watch on {} resyncs at revision {}", prefix, revision);
                        sink.resync(listing.getKvs(), revision);
                    }
                    watch();
                });
    }

    @Override
    public void close() {
        Watch.Watcher current;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            generation++;
            current = watcher;
        }
        if (current != null) {
            current.close();
        }
    }
}
