package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.LockLostException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.lock.HeldLock;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the contracts of the lock-like facilities built on a lock (semaphores, read-write locks)
 * share: the session faults they run through, and the rule that a holding lost to one of them is
 * known to its holder before another client is granted what it held.
 */
abstract class HoldingContract extends ContractSupport {

    /** Takes a holding of the named facility through a connection, waiting at most {@link #PATIENCE}. */
    @FunctionalInterface
    interface Acquire {
        HeldLock acquire(Portal portal, String name) throws Exception;
    }

    /** The session faults the fixture can inject; with none the test is reported as not run. */
    protected final List<Fault> injectableFaults() {
        List<Fault> faults = List.of(Fault.SESSION_EXPIRY, Fault.CONNECTION_CUT, Fault.SERVER_RESTART).stream()
                .filter(harness().faults()::contains).toList();
        if (faults.isEmpty()) {
            canInject(Fault.SESSION_EXPIRY);
        }
        return faults;
    }

    /**
     * For each fault: a victim holds, another client waits for what it holds, the fault hits the
     * victim; the victim must be told and see it holds nothing, and the waiter must be granted.
     *
     * @param base the name's base, one fresh name per fault
     * @param hold what the victim takes
     * @param next what the waiter asks for (it excludes the victim's holding)
     * @return how many grants came while the victim's holding still said it held (must be 0)
     */
    protected final int grantedWhileTheLostHolderBelievedItHeld(String base, List<Fault> faults, Acquire hold, Acquire next)
            throws Exception {
        int early = 0;
        for (Fault fault : faults) {
            String name = unique(base);
            Portal victim = open();
            HeldLock lost = hold.acquire(victim, name);
            CountDownLatch told = new CountDownLatch(1);
            lost.onLost(told::countDown);
            Portal other = open();
            AtomicBoolean believedHeld = new AtomicBoolean();
            AtomicReference<Exception> lastFailure = new AtomicReference<>();
            CountDownLatch granted = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                long deadline = System.nanoTime() + PATIENCE.toNanos();
                // A restart breaks the waiter's connection too: it asks again, as an application would.
                while (System.nanoTime() - deadline < 0) {
                    try (HeldLock got = next.acquire(other, name)) {
                        believedHeld.set(lost.isHeld());
                        granted.countDown();
                        return;
                    } catch (PortalException e) {
                        lastFailure.set(e);
                    } catch (Exception e) {
                        lastFailure.set(e);
                        return;
                    }
                }
            }, "tck-waiter-" + base);
            waiter.start();
            harness().inject(fault, victim);
            assertThat(told.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("holder told of the loss after " + fault).isTrue();
            assertThat(lost.isHeld()).isFalse();
            assertThatThrownBy(lost::ensureHeld).isInstanceOf(LockLostException.class);
            // A holding that outlived a cut connection on the server is given back by closing it.
            assertThatCode(lost::close).doesNotThrowAnyException();
            assertThat(granted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("waiter granted after " + fault + " (last failure: "
                    + lastFailure.get() + ")").isTrue();
            waiter.join(PATIENCE.toMillis());
            if (believedHeld.get()) {
                early++;
            }
        }
        return early;
    }
}
