package io.cloudportal.kv;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys under a prefix at one point of the store's history, and that point: every entry is
 * what the key held at {@code revision}, and no key absent here existed then. Hand the revision to
 * {@link KvStore#watch(String, long, KvListener)} to follow every change after it, with none
 * missed or repeated between the read and the watch.
 *
 * @param prefix the prefix that was read
 * @param entries the keys under it, sorted by key
 * @param revision the store-wide revision they were read at
 */
public record KvSnapshot(String prefix, List<KeyValue> entries, long revision) {

    /**
     * Copies the entries, so a snapshot never changes.
     *
     * @param prefix the prefix that was read
     * @param entries the keys under it, sorted by key
     * @param revision the store-wide revision they were read at
     */
    public KvSnapshot {
        Objects.requireNonNull(prefix, "prefix");
        entries = List.copyOf(entries);
    }

    /**
     * Finds a key of the snapshot.
     *
     * @param key the key
     * @return what it held at the snapshot's revision, or empty if it was absent
     */
    public Optional<KeyValue> get(String key) {
        return entries.stream().filter(entry -> entry.key().equals(key)).findFirst();
    }
}
