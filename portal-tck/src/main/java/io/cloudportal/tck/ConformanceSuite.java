package io.cloudportal.tck;

import java.time.Duration;
import org.junit.jupiter.api.Nested;

/**
 * Every contract of the kit, for one driver: extend it once with the driver's harness, as Go
 * CDK's {@code drivertest.RunConformanceTests} is called once, and a contract added to the kit
 * runs on every driver with no new class. A contract about a facility the driver does not provide
 * passes as not applicable ({@link Requires}); one whose guarantees the driver does not declare
 * proves their absence, as it always did.
 *
 * <pre>{@code
 * class KafkaConformanceIT extends ConformanceSuite {
 *     protected TckHarness harness() { return KafkaHarness.INSTANCE; }
 * }
 * }</pre>
 */
public abstract class ConformanceSuite {

    /**
     * The driver's harness.
     *
     * @return the harness, typically a shared static instance
     */
    protected abstract TckHarness harness();

    /**
     * Messages in the messaging contract's throughput scenario.
     *
     * @return the count
     */
    protected int bulkMessages() {
        return 10_000;
    }

    /**
     * Retry backoff used by the redelivery scenarios.
     *
     * @return the backoff
     */
    protected Duration retryBackoff() {
        return Duration.ofMillis(20);
    }

    /** The registry contract. */
    @Nested
    class Registry extends RegistryContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The lock contract. */
    @Nested
    class Lock extends LockContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The semaphore contract. */
    @Nested
    class Semaphore extends SemaphoreContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The read-write lock contract. */
    @Nested
    class ReadWriteLock extends ReadWriteLockContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The leader election contract. */
    @Nested
    class LeaderElection extends LeaderElectionContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The KV store contract. */
    @Nested
    class KvStore extends KvStoreContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** Snapshots of a prefix and watches from their revision. */
    @Nested
    class KvSnapshots extends KvSnapshotContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** KV transactions and writes guarded by a held lock. */
    @Nested
    class KvTransactions extends KvTransactionContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** Single-key writes guarded by a lock, a permit or a leader's term. */
    @Nested
    class GuardedWrites extends GuardedWritesContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The counter contract. */
    @Nested
    class Counter extends CounterContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The count-down latch contract. */
    @Nested
    class CountDownLatch extends CountDownLatchContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** Following an election without joining it. */
    @Nested
    class ElectionObserver extends ElectionObserverContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The barrier contract. */
    @Nested
    class Barrier extends BarrierContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The double-barrier contract. */
    @Nested
    class DoubleBarrier extends DoubleBarrierContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The observation hooks on the driver's broker. */
    @Nested
    class Observations extends ObservationContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The observation hooks of locks and elections on the driver's server. */
    @Nested
    class CoordinationObservations extends CoordinationObservationContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** The messaging contract, with the redelivery contract nested in it. */
    @Nested
    class Messaging extends MessagingContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }

        @Override
        protected int bulkMessages() {
            return ConformanceSuite.this.bulkMessages();
        }

        @Override
        protected Duration retryBackoff() {
            return ConformanceSuite.this.retryBackoff();
        }
    }

    /** Bad input on every facility the driver provides. */
    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** Connecting, closing and handles. */
    @Nested
    class Lifecycle extends LifecycleContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }

    /** Credentials against a server that checks them. */
    @Nested
    class CredentialsCheck extends CredentialsContract {
        @Override
        protected TckHarness harness() {
            return ConformanceSuite.this.harness();
        }
    }
}
