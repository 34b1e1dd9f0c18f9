package io.cloudportal.kv;

import java.util.Optional;

/**
 * A change seen by a watch. Events of one watch arrive in revision order.
 *
 * @param type what happened
 * @param key the key that changed; for {@link Type#RESYNC}, the watched prefix
 * @param value for {@link Type#PUT}, the value this change wrote where the driver gives
 *              {@link io.cloudportal.Guarantee#KV_WATCH_VALUES}, otherwise the value read just
 *              after the change (its version tells which; empty if the key was gone by then);
 *              empty for other types
 * @param revision the store-wide revision of the change, increasing across events of a watch
 */
public record KvEvent(Type type, String key, Optional<KeyValue> value, long revision) {

    /** Kinds of change. */
    public enum Type {
        /** The key was created or updated. */
        PUT,
        /** The key was deleted, or expired. */
        DELETE,
        /**
         * The watch could not prove it saw every change (a reconnect past compacted history):
         * re-list the prefix. Events after this one are complete again.
         */
        RESYNC
    }
}
