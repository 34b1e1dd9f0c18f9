package io.cloudportal.spi;

import io.cloudportal.lock.Lock;
import io.cloudportal.lock.ReadWriteLock;

/**
 * A driver's read-write lock: its two sides, each one of the driver's locks.
 *
 * @param name the lock's name
 * @param readLock the shared side
 * @param writeLock the exclusive side
 */
public record ReadWriteLocks(String name, Lock readLock, Lock writeLock) implements ReadWriteLock {
}
