package io.cloudportal.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.util.concurrent.CompletableFuture;

/**
 * The queue protocol of etcd's {@code concurrency} package, which {@code etcdctl lock} and
 * {@code etcdctl elect} use: every contender puts a key under a prefix, bound to its lease, and
 * the key with the lowest create revision is first. A contender waits for the key created just
 * before its own to go, then looks again, until none is older.
 *
 * <p>The wait differs from etcd's in one way that matters for speed, not for compatibility: the
 * predecessor is watched from the current revision (the watch joins etcd's synced watchers and
 * hears a delete at once) and read again once the watch exists, instead of being watched from the
 * revision of the read, which puts the watch among the unsynced ones that etcd catches up only
 * every 100 ms.
 */
final class KeyQueue {

    private final EtcdConnection connection;
    private final ByteSequence prefix;

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

    /** The first key in the queue (the holder, the leader), if any. */
    CompletableFuture<java.util.Optional<KeyValue>> first() {
        return connection.client().getKVClient().get(prefix, GetOption.builder().isPrefix(true)
                        .withSortField(GetOption.SortTarget.CREATE).withSortOrder(GetOption.SortOrder.ASCEND).withLimit(1).build())
                .thenApply(response -> response.getKvs().stream().findFirst());
    }

    /**
     * Completes once no key under the prefix is older than {@code createRevision}. Cancel the
     * result to stop waiting; the watch it holds is closed.
     */
    Turn awaitTurn(long createRevision) {
        Turn turn = new Turn();
        turn.next(createRevision);
        return turn;
    }

    /** A wait for one's turn; complete when first, cancelled when given up. */
    final class Turn extends CompletableFuture<Void> {
        private Watch.Watcher watcher;

        private void next(long createRevision) {
            if (isDone()) {
                return;
            }
            connection.client().getKVClient().get(prefix, GetOption.builder().isPrefix(true)
                            .withSortField(GetOption.SortTarget.CREATE).withSortOrder(GetOption.SortOrder.DESCEND)
                            .withMaxCreateRevision(createRevision - 1).withLimit(1).build())
                    .whenComplete((response, error) -> {
                        if (error != null) {
                            completeExceptionally(error);
                        } else if (response.getKvs().isEmpty()) {
                            complete(null);
                        } else {
                            KeyValue predecessor = response.getKvs().get(0);
                            awaitDeletion(predecessor, () -> next(createRevision));
                        }
                    });
        }

        private void awaitDeletion(KeyValue predecessor, Runnable then) {
            ByteSequence key = predecessor.getKey();
            long created = predecessor.getCreateRevision();
            CompletableFuture<Void> gone = new CompletableFuture<>();
            Watch.Watcher started = connection.client().getWatchClient().watch(key, WatchOption.builder().withCreateNotify(true).build(),
                    new Watch.Listener() {
                        @Override
                        public void onNext(WatchResponse response) {
                            if (response.getEvents().stream().anyMatch(e -> e.getEventType() == WatchEvent.EventType.DELETE)) {
                                gone.complete(null);
                            } else if (response.getEvents().isEmpty()) {
                                // Created (again, after a reconnect): a delete before this point is not in the
                                // watch, so read the key once more.
                                connection.client().getKVClient().get(key).whenComplete((now, error) -> {
                                    if (error != null) {
                                        return;
                                    }
                                    if (now.getKvs().isEmpty() || now.getKvs().get(0).getCreateRevision() != created) {
                                        gone.complete(null);
                                    }
                                });
                            }
                        }

                        @Override
                        public void onError(Throwable error) {
                            // jetcd re-creates the watch; the created notification reads the key again.
                        }

                        @Override
                        public void onCompleted() {
                            // Closed by us, or given up by jetcd: look again rather than wait forever.
                            gone.complete(null);
                        }
                    });
            synchronized (this) {
                watcher = started;
            }
            if (isDone()) {
                started.close();
                return;
            }
            gone.whenComplete((ignored, error) -> {
                started.close();
                then.run();
            });
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Watch.Watcher current;
            synchronized (this) {
                current = watcher;
            }
            if (current != null) {
                current.close();
            }
            return cancelled;
        }
    }
}
