package io.cloudportal.spi;

import io.cloudportal.lock.HeldLock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A transaction as the portable layer hands it to a driver, checked already: keys valid, each
 * key at most once among the operations, at least one operation, at most
 * {@link io.cloudportal.kv.KvTransaction#MAX_STEPS} steps, values within the backend's limit.
 *
 * @param conditions what must hold when the server commits, in the order the user added them
 * @param operations the writes, in order
 * @param guard the driver's own held lock (never the portable wrapper) that must still be held, or empty
 */
public record KvTransactionSpec(List<Condition> conditions, List<Operation> operations, Optional<HeldLock> guard) {

    /**
     * Copies the parts.
     *
     * @param conditions the conditions
     * @param operations the operations
     * @param guard the guard
     */
    public KvTransactionSpec {
        conditions = List.copyOf(conditions);
        operations = List.copyOf(operations);
        Objects.requireNonNull(guard, "guard");
    }

    /** What a condition compares. */
    public enum Check {
        /** The key's version equals {@link Condition#version()} (0: absent). */
        VERSION,
        /** The key is absent. */
        ABSENT,
        /** The key is present. */
        PRESENT
    }

    /**
     * One condition.
     *
     * @param key the key
     * @param check what is compared
     * @param version for {@link Check#VERSION}, the version; otherwise 0
     */
    public record Condition(String key, Check check, long version) {

        /**
         * Checks the parts.
         *
         * @param key the key
         * @param check what is compared
         * @param version the version
         */
        public Condition {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(check, "check");
        }

        /**
         * Whether a key in this state meets the condition.
         *
         * @param currentVersion the key's version now, or 0 if absent
         * @return true if the condition holds
         */
        public boolean heldBy(long currentVersion) {
            return switch (check) {
                case VERSION -> currentVersion == version;
                case ABSENT -> currentVersion == 0;
                case PRESENT -> currentVersion != 0;
            };
        }

        /**
         * The condition as the user wrote it, for {@link io.cloudportal.kv.KvTransactionResult#failedCondition()}.
         *
         * @return e.g. {@code requireVersion(accounts/a, 17)}
         */
        public String describe() {
            return switch (check) {
                case VERSION -> "requireVersion(" + key + ", " + version + ")";
                case ABSENT -> "requireAbsent(" + key + ")";
                case PRESENT -> "requirePresent(" + key + ")";
            };
        }
    }

    /**
     * One write.
     *
     * @param key the key
     * @param value the value to put (owned by the spec), or null to delete the key
     * @param ttl the put's validated time to live, or null for a key without one (and for a delete)
     */
    public record Operation(String key, byte[] value, java.time.Duration ttl) {

        /**
         * Checks the key.
         *
         * @param key the key
         * @param value the value, or null for a delete
         * @param ttl the time to live, or null
         */
        public Operation {
            Objects.requireNonNull(key, "key");
        }

        /**
         * A write without a time to live.
         *
         * @param key the key
         * @param value the value, or null for a delete
         */
        public Operation(String key, byte[] value) {
            this(key, value, null);
        }

        /**
         * Whether this operation deletes its key.
         *
         * @return true for a delete
         */
        public boolean isDelete() {
            return value == null;
        }
    }
}
