package io.cloudportal.kv;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a committed or refused {@link KvTransaction} did.
 *
 * @param committed whether every condition held and every operation was applied
 * @param failedCondition if not committed, the first condition (in the order added) that did not hold, as
 *                        {@code requireVersion(key, version)}, {@code requireAbsent(key)} or {@code requirePresent(key)}
 * @param written if committed, each key put with its new version, in the order of the operations; empty otherwise
 */
public record KvTransactionResult(boolean committed, Optional<String> failedCondition, List<KeyValue> written) {

    /**
     * Checks the parts.
     *
     * @param committed whether it committed
     * @param failedCondition the condition that did not hold, if not committed
     * @param written what was written, if committed
     */
    public KvTransactionResult {
        Objects.requireNonNull(failedCondition, "failedCondition");
        written = List.copyOf(written);
        if (committed == failedCondition.isPresent()) {
            throw new IllegalArgumentException("a transaction that committed has no failed condition, and one that did not names one");
        }
    }

    /**
     * A committed transaction.
     *
     * @param written each key put, with its new version
     * @return the result
     */
    public static KvTransactionResult committed(List<KeyValue> written) {
        return new KvTransactionResult(true, Optional.empty(), written);
    }

    /**
     * A transaction a condition refused.
     *
     * @param condition the first condition that did not hold
     * @return the result
     */
    public static KvTransactionResult refused(String condition) {
        return new KvTransactionResult(false, Optional.of(condition), List.of());
    }
}
