package io.cloudportal.zookeeper;

import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvSnapshot;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key versions of this connection's latest snapshots. ZooKeeper keeps no history, so a watch
 * from a snapshot's revision can only tell which keys were deleted since by comparing with what the
 * snapshot held; a revision not found here leaves it unable to, and it reports a RESYNC instead.
 * Bounded, so a process that takes many snapshots keeps only the latest few.
 */
final class RecentSnapshots {

    static final int KEPT = 16;

    private final Deque<KvSnapshot> latest = new ArrayDeque<>();

    synchronized void remember(KvSnapshot snapshot) {
        latest.addFirst(snapshot);
        if (latest.size() > KEPT) {
            latest.removeLast();
        }
    }

    /** What the keys under {@code prefix} held at {@code revision}, if a snapshot of this or a shorter prefix was taken there. */
    synchronized Optional<Map<String, Long>> versionsAt(String prefix, long revision) {
        for (KvSnapshot snapshot : latest) {
            if (snapshot.revision() == revision && prefix.startsWith(snapshot.prefix())) {
                Map<String, Long> versions = new HashMap<>();
                for (KeyValue entry : snapshot.entries()) {
                    if (entry.key().startsWith(prefix)) {
                        versions.put(entry.key(), entry.version());
                    }
                }
                return Optional.of(versions);
            }
        }
        return Optional.empty();
    }
}
