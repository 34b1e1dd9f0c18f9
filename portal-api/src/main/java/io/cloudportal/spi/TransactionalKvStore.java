package io.cloudportal.spi;

import io.cloudportal.kv.KvTransactionResult;

/**
 * Implemented by a driver's KV store that gives {@link io.cloudportal.Guarantee#KV_TRANSACTIONS}:
 * the portable layer validates a transaction, unwraps its guard, and hands it here once.
 */
public interface TransactionalKvStore {

    /**
     * Commits the transaction atomically on the server, with every condition and the guard
     * checked in the same step, within the connection's operation timeout.
     *
     * @param transaction the checked transaction
     * @return committed with the keys put and their versions, or refused naming the first condition that did not hold
     * @throws io.cloudportal.LockLostException if the guard is no longer held (nothing was written)
     * @throws io.cloudportal.InvalidArgumentException if the guard is not a lock of this connection
     */
    KvTransactionResult commit(KvTransactionSpec transaction);
}
