package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.OutcomeUnknownException;
import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.coordination.Counter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Counter}: one value for every client, each acknowledged update applied
 * exactly once, also while connections are cut and the server restarts; an update whose answer
 * was lost is reported as unknown and never applied twice.
 */
@Requires(Facility.COUNTER)
public abstract class CounterContract extends ContractSupport {

    private static final int CLIENTS = 8;
    /** 8,000 increments in all, as issue 21 asks: about 40 s on etcd, run beside another module since decision 29. */
    private static final int INCREMENTS_EACH = 1_000;

    @Test
    void everyClientSeesOneValueStartingAtZero() {
        String name = unique("counter");
        Counter counter = open().counter(name);
        assertThat(counter.name()).isEqualTo(name);
        assertThat(counter.get()).as("a counter never written").isZero();
        assertThat(counter.incrementAndGet()).isEqualTo(1);
        assertThat(counter.addAndGet(5)).isEqualTo(6);
        assertThat(counter.addAndGet(-2)).isEqualTo(4);
        Counter other = open().counter(name);
        assertThat(other.get()).as("another connection's read").isEqualTo(4);
        assertThat(other.compareAndSet(4, 10)).isTrue();
        assertThat(counter.compareAndSet(4, 11)).as("a compare-and-set from a stale value").isFalse();
        assertThat(counter.get()).isEqualTo(10);
        assertThat(open().counter(unique("fresh")).compareAndSet(0, 7)).as("compare-and-set of a counter never written, from 0").isTrue();
        assertThat(counter.addAndGet(Long.MAX_VALUE - 10)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(counter::incrementAndGet).as("past Long.MAX_VALUE").isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(name).hasMessageContaining("range");
        assertThat(other.get()).as("after the refused overflow").isEqualTo(Long.MAX_VALUE);
    }

    /**
     * Eight clients increment one counter 1,000 times each; a connection is cut after a
     * third of the increments and the server restarts after two thirds, where the fixture can.
     * An increment that failed before it could apply is tried again; one whose answer was lost
     * counts as unknown. The end value lies between the acknowledged increments and those plus
     * the unknown ones, and every acknowledged increment returned a value no other one did.
     */
    @Test
    void concurrentIncrementsAreAppliedOnceThroughACutAndARestart() throws Exception {
        String name = unique("contended");
        List<Portal> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(open());
        }
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger unknown = new AtomicInteger();
        AtomicInteger failedBeforeApplying = new AtomicInteger();
        Set<Long> returned = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<String> injected = new ArrayList<>();
        long started = System.nanoTime();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Portal client : clients) {
                Counter counter = client.counter(name);
                running.add(pool.submit(() -> {
                    int done = 0;
                    while (done < INCREMENTS_EACH) {
                        try {
                            if (!returned.add(counter.incrementAndGet())) {
                                duplicates.incrementAndGet();
                            }
                            acknowledged.incrementAndGet();
                            done++;
                        } catch (OutcomeUnknownException lost) {
                            unknown.incrementAndGet();
                            done++;
                        } catch (UnavailableException notApplied) {
                            // Refused before the swap was sent (its read failed, or it lost every race): try it again.
                            failedBeforeApplying.incrementAndGet();
                            TimeUnit.MILLISECONDS.sleep(20);
                        }
                    }
                    return null;
                }));
            }
            int total = CLIENTS * INCREMENTS_EACH;
            for (Fault fault : List.of(Fault.CONNECTION_CUT, Fault.SERVER_RESTART)) {
                int at = total * (fault == Fault.CONNECTION_CUT ? 1 : 2) / 3;
                await().atMost(PATIENCE.multipliedBy(2)).until(() -> acknowledged.get() + unknown.get() >= at);
                if (harness().faults().contains(fault)) {
                    harness().inject(fault, clients.get(0));
                    injected.add(fault.name());
                }
            }
            for (Future<?> client : running) {
                client.get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long end = open().counter(name).get();
        int lost = (int) Math.max(0, acknowledged.get() - end);
        long doubled = Math.max(0, end - acknowledged.get() - unknown.get());
        figure("faults", injected.isEmpty() ? "none injectable here" : String.join("+", injected));
        figure("acknowledged", acknowledged.get());
        figure("unknown", unknown.get());
        figure("failed before applying, retried", failedBeforeApplying.get());
        figure("final", end);
        figure("acknowledged increments lost", lost);
        figure("increments applied twice", doubled);
        figure("seconds", (System.nanoTime() - started) / 1_000_000_000.0);
        assertThat(lost).as("acknowledged increments missing from the final value").isZero();
        assertThat(doubled).as("increments applied beyond those acknowledged or unknown").isZero();
        assertThat(duplicates.get()).as("values returned by two acknowledged increments").isZero();
        assertThat(acknowledged.get()).isPositive();
    }

    @Test
    void badNamesAreRefusedBeforeAnyIo() {
        Portal portal = open();
        assertThatThrownBy(() -> portal.counter(null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("counter name");
        assertThatThrownBy(() -> portal.counter("")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("counter name");
        assertThatThrownBy(() -> portal.counter("a/../b")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("a/../b");
        String tooLong = "c".repeat(limits().maxNameLength() + 1);
        assertThatThrownBy(() -> portal.counter(tooLong)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(Integer.toString(limits().maxNameLength()));
    }
}
