package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.coordination.Barrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link Barrier}: set and removed by any client, it holds every waiter while set
 * and releases them all on removal, also a waiter that waited through a server restart.
 */
@Requires(Facility.BARRIER)
public abstract class BarrierContract extends ContractSupport {

    @Test
    void aBarrierIsSetOnceAndRemovedOnceByAnyClient() throws Exception {
        String name = unique("barrier");
        Barrier barrier = open().barrier(name);
        Barrier other = open().barrier(name);
        assertThat(barrier.name()).isEqualTo(name);
        assertThat(barrier.isSet()).isFalse();
        assertThat(barrier.await(Duration.ZERO)).as("waiting on a barrier not set").isTrue();
        assertThat(barrier.set()).isTrue();
        assertThat(other.set()).as("setting it again").isFalse();
        assertThat(other.isSet()).isTrue();
        assertThat(other.await(Duration.ofMillis(100))).as("waiting while it is set").isFalse();
        assertThat(other.remove()).isTrue();
        assertThat(barrier.remove()).as("removing it again").isFalse();
        assertThat(barrier.isSet()).isFalse();
    }

    /** Three waiters on three connections: none passes while the barrier is set, all pass once it is removed. */
    @Test
    void everyWaiterPassesWhenTheBarrierIsRemovedAndNoneBefore() throws Exception {
        String name = unique("gate");
        Barrier setter = open().barrier(name);
        setter.set();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Boolean>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Barrier barrier = open().barrier(name);
                waiters.add(pool.submit(() -> barrier.await(PATIENCE)));
            }
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> waiters.stream().noneMatch(Future::isDone));
            setter.remove();
            for (Future<Boolean> waiter : waiters) {
                assertThat(waiter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a waiter after the removal").isTrue();
            }
            figure("waiters passed early", 0);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A waiter waits through a server restart and passes when the barrier is removed after it. */
    @Test
    void aWaiterWaitsThroughAServerRestart() throws Exception {
        if (!canInject(Fault.SERVER_RESTART)) {
            return;
        }
        String name = unique("restart");
        Portal setter = open();
        setter.barrier(name).set();
        Barrier barrier = open().barrier(name);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> waiter = pool.submit(() -> barrier.await(PATIENCE));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !waiter.isDone());
            harness().inject(Fault.SERVER_RESTART, setter);
            assertThat(waiter.isDone()).as("the waiter, right after the restart").isFalse();
            await().atMost(PATIENCE).ignoreExceptions().until(() -> setter.barrier(name).remove());
            assertThat(waiter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the waiter, once the barrier is removed").isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void badNamesAndTimeoutsAreRefusedBeforeAnyIo() {
        Portal portal = open();
        assertThatThrownBy(() -> portal.barrier("")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("barrier name");
        assertThatThrownBy(() -> portal.barrier("x/y")).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("x/y");
        Barrier barrier = portal.barrier(unique("bad"));
        assertThatThrownBy(() -> barrier.await(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThat(barrier.isSet()).isFalse();
    }
}
