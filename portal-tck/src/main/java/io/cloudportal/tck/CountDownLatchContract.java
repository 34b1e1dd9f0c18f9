package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.OutcomeUnknownException;
import io.cloudportal.Portal;
import io.cloudportal.coordination.CountDownLatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link CountDownLatch}: a count that lives on the server, never goes below
 * zero, releases every waiter once it reaches zero and none before, and whose count-downs are
 * applied exactly once through a cut connection and a server restart.
 */
@Requires(Facility.COUNT_DOWN_LATCH)
public abstract class CountDownLatchContract extends ContractSupport {

    @Test
    void aLatchCountsDownToZeroAndNoFurther() throws Exception {
        String name = unique("latch");
        CountDownLatch latch = open().countDownLatch(name);
        assertThat(latch.name()).isEqualTo(name);
        assertThat(latch.count()).as("a latch never set").isZero();
        assertThat(latch.await(Duration.ZERO)).as("waiting on a latch never set").isTrue();
        assertThat(latch.trySetCount(3)).isTrue();
        assertThat(latch.trySetCount(5)).as("setting a running latch").isFalse();
        CountDownLatch other = open().countDownLatch(name);
        assertThat(other.count()).as("another connection's read").isEqualTo(3);
        assertThat(other.await(Duration.ofMillis(100))).as("waiting while the count is 3").isFalse();
        latch.countDown();
        other.countDown();
        assertThat(latch.count()).isEqualTo(1);
        other.countDown();
        other.countDown();
        assertThat(latch.count()).as("counting down at zero").isZero();
        assertThat(latch.await(Duration.ZERO)).isTrue();
        assertThat(other.trySetCount(2)).as("a new round after zero").isTrue();
        assertThat(latch.count()).isEqualTo(2);
        assertThat(latch.delete()).isTrue();
        assertThat(other.count()).as("after delete").isZero();
        assertThat(latch.delete()).as("deleting again").isFalse();
    }

    /** Ten clients count down a latch of ten while three wait: no waiter returns before the tenth count-down, each returns after it. */
    @Test
    void everyWaiterReturnsOnceTheLastCountDownLandsAndNoneBefore() throws Exception {
        String name = unique("gate");
        open().countDownLatch(name).trySetCount(10);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                CountDownLatch latch = open().countDownLatch(name);
                waiters.add(pool.submit(() -> latch.await(PATIENCE)));
            }
            List<Portal> workers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                workers.add(open());
            }
            for (int i = 0; i < 9; i++) {
                workers.get(i).countDownLatch(name).countDown();
            }
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> waiters.stream().noneMatch(Future::isDone));
            int early = (int) waiters.stream().filter(Future::isDone).count();
            workers.get(9).countDownLatch(name).countDown();
            for (Future<Boolean> waiter : waiters) {
                assertThat(waiter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a waiter after the tenth count-down").isTrue();
            }
            figure("waiters released early", early);
            assertThat(early).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Four clients count down a latch of 400, a hundred times each, with a connection cut after a
     * third and a server restart after two thirds where the fixture can: the count ends at zero
     * exactly when every count-down returned, and at 400 less the returned ones, give or take only
     * those reported unknown.
     */
    @Test
    void countDownsAreAppliedOnceThroughACutAndARestart() throws Exception {
        String name = unique("faulted");
        int clients = 4;
        int each = 100;
        int total = clients * each;
        open().countDownLatch(name).trySetCount(total);
        List<Portal> portals = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            portals.add(open());
        }
        AtomicInteger returned = new AtomicInteger();
        AtomicInteger unknown = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<String> injected = new ArrayList<>();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            try {
                return open().countDownLatch(name).await(PATIENCE.multipliedBy(3));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (Portal portal : portals) {
                CountDownLatch latch = portal.countDownLatch(name);
                running.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        try {
                            latch.countDown();
                            returned.incrementAndGet();
                        } catch (OutcomeUnknownException lost) {
                            unknown.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Fault fault : List.of(Fault.CONNECTION_CUT, Fault.SERVER_RESTART)) {
                int at = total * (fault == Fault.CONNECTION_CUT ? 1 : 2) / 3;
                await().atMost(PATIENCE.multipliedBy(2)).until(() -> returned.get() + unknown.get() >= at);
                if (harness().faults().contains(fault)) {
                    harness().inject(fault, portals.get(0));
                    injected.add(fault.name());
                }
            }
            for (Future<?> client : running) {
                client.get(PATIENCE.toSeconds() * 3, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long left = open().countDownLatch(name).count();
        long applied = total - left;
        figure("faults", injected.isEmpty() ? "none injectable here" : String.join("+", injected));
        figure("count-downs returned", returned.get());
        figure("unknown", unknown.get());
        figure("count left", left);
        figure("count-downs lost", Math.max(0, returned.get() - applied));
        figure("count-downs applied twice", Math.max(0, applied - returned.get() - unknown.get()));
        assertThat(applied).as("count-downs applied, against %d returned and %d unknown", returned.get(), unknown.get())
                .isBetween((long) returned.get(), (long) returned.get() + unknown.get());
        if (unknown.get() == 0) {
            assertThat(left).isZero();
            assertThat(waiter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the waiter, through the faults").isTrue();
        }
    }

    @Test
    void badNamesAndCountsAreRefusedBeforeAnyIo() throws Exception {
        Portal portal = open();
        assertThatThrownBy(() -> portal.countDownLatch("")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("latch name");
        assertThatThrownBy(() -> portal.countDownLatch("a/b")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("a/b");
        CountDownLatch latch = portal.countDownLatch(unique("bad"));
        for (long count : new long[] {0, -1, CountDownLatch.MAX_COUNT + 1}) {
            assertThatThrownBy(() -> latch.trySetCount(count)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining(Long.toString(count)).hasMessageContaining(Long.toString(CountDownLatch.MAX_COUNT));
        }
        assertThatThrownBy(() -> latch.await(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> latch.await(null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("timeout");
        assertThat(latch.count()).isZero();
    }
}
