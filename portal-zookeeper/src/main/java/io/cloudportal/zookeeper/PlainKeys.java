package io.cloudportal.zookeeper;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.zookeeper.data.Stat;
import org.apache.zookeeper.server.EphemeralType;

/**
 * The keys this connection last saw as plain (not TTL) nodes, most recent first, so that a
 * transaction of unconditioned writes to them can go to the server without reading them first.
 * Only a hint: a key deleted meanwhile makes that multi fail (nothing written) and the transaction
 * is planned on a read; a key replaced by a TTL node meanwhile is put in its place afterwards.
 */
final class PlainKeys {

    /** Enough for a service's working set of keys; the oldest are forgotten (they only cost a read). */
    private static final int CAPACITY = 4_096;

    private final Map<String, Boolean> recent = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Records what a read or a write saw of a key: null (absent), a TTL node or a plain node. */
    synchronized void saw(String key, Stat stat) {
        if (stat != null && EphemeralType.get(stat.getEphemeralOwner()) != EphemeralType.TTL) {
            recent.put(key, Boolean.TRUE);
        } else {
            recent.remove(key);
        }
    }

    synchronized void sawPlain(String key) {
        recent.put(key, Boolean.TRUE);
    }

    synchronized void forget(String key) {
        recent.remove(key);
    }

    synchronized boolean containAll(Collection<String> keys) {
        for (String key : keys) {
            if (recent.get(key) == null) {
                return false;
            }
        }
        return true;
    }
}
