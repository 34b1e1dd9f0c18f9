package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.BarrierBrokenException;
import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.coordination.DoubleBarrier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link DoubleBarrier}: no member passes {@code enter} before all have entered,
 * none passes {@code leave} before all have left, round after round; a member whose session ends
 * counts as left, and while the others wait in {@code enter} they are told instead of waiting for
 * their timeout; a member that gives up withdraws and tells the others the same way.
 */
@Requires(Facility.BARRIER)
public abstract class DoubleBarrierContract extends ContractSupport {

    private static final int MEMBERS = 5;

    /** Five members on five connections meet ten times; each checks, on passing, that all five had arrived. */
    @Test
    void fiveMembersMeetTenRoundsAndNonePassesBeforeAllHaveEnteredOrLeft() throws Exception {
        String name = unique("rounds");
        int rounds = 10;
        AtomicInteger[] entering = counters(rounds);
        AtomicInteger[] leaving = counters(rounds);
        AtomicInteger violations = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(MEMBERS);
        try {
            List<Future<?>> members = new ArrayList<>();
            for (int m = 0; m < MEMBERS; m++) {
                DoubleBarrier barrier = open().doubleBarrier(name, MEMBERS);
                members.add(pool.submit(() -> {
                    for (int round = 0; round < rounds; round++) {
                        entering[round].incrementAndGet();
                        assertThat(barrier.enter(PATIENCE)).as("entering round %d", round).isTrue();
                        if (entering[round].get() < MEMBERS) {
                            violations.incrementAndGet();
                        }
                        leaving[round].incrementAndGet();
                        assertThat(barrier.leave(PATIENCE)).as("leaving round %d", round).isTrue();
                        if (leaving[round].get() < MEMBERS) {
                            violations.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> member : members) {
                member.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        figure("members", MEMBERS);
        figure("rounds", rounds);
        figure("passed before all had entered or left", violations.get());
        assertThat(violations.get()).as("members that passed enter() before all had entered, or leave() before all had left").isZero();
        assertThat(open().doubleBarrier(name, MEMBERS).entered()).as("entries after the last round").isZero();
    }

    /**
     * Four of five members wait in {@code enter}; one's session expires. The round can no longer
     * fill: the three others and the victim itself are told, long before their timeout. Then five
     * meet, four leave, and the victim's session expires instead: the four are released.
     */
    @Test
    void aMemberWhoseSessionEndsCountsAsLeftAndTheOthersAreToldInsteadOfWaiting() throws Exception {
        if (!canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        String name = unique("expiry");
        DoubleBarrier observer = open().doubleBarrier(name, MEMBERS);
        Portal victim = open();
        ExecutorService pool = Executors.newFixedThreadPool(MEMBERS);
        try {
            // The victim first, so every other member's first read already shows its entry.
            AtomicLong lastTold = new AtomicLong();
            List<Future<Boolean>> waiting = new ArrayList<>();
            DoubleBarrier victims = victim.doubleBarrier(name, MEMBERS);
            waiting.add(pool.submit(() -> enterNoting(victims, lastTold)));
            await().atMost(PATIENCE).until(() -> observer.entered() == 1);
            for (int m = 0; m < MEMBERS - 2; m++) {
                DoubleBarrier barrier = open().doubleBarrier(name, MEMBERS);
                waiting.add(pool.submit(() -> enterNoting(barrier, lastTold)));
            }
            await().atMost(PATIENCE).until(() -> observer.entered() == MEMBERS - 1);
            long faultBegan = System.nanoTime();
            harness().inject(Fault.SESSION_EXPIRY, victim);
            int told = 0;
            for (Future<Boolean> member : waiting) {
                assertThatThrownBy(() -> member.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a member waiting in enter()")
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BarrierBrokenException.class)
                        .hasMessageContaining(name);
                told++;
            }
            figure("members told the round broke", told);
            figure("last told, ms after the fault began (the session timeout included)", TimeUnit.NANOSECONDS.toMillis(lastTold.get() - faultBegan));
            await().atMost(PATIENCE).until(() -> observer.entered() == 0);

            List<DoubleBarrier> round = new ArrayList<>();
            List<Future<Boolean>> entered = new ArrayList<>();
            for (int m = 0; m < MEMBERS - 1; m++) {
                DoubleBarrier barrier = open().doubleBarrier(name, MEMBERS);
                round.add(barrier);
                entered.add(pool.submit(() -> barrier.enter(PATIENCE)));
            }
            DoubleBarrier again = victim.doubleBarrier(name, MEMBERS);
            assertThat(again.enter(PATIENCE)).as("the victim, entering a new round on its new session").isTrue();
            for (Future<Boolean> member : entered) {
                assertThat(member.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
            List<Future<Boolean>> leaving = new ArrayList<>();
            for (DoubleBarrier barrier : round) {
                leaving.add(pool.submit(() -> barrier.leave(PATIENCE)));
            }
            await().atMost(PATIENCE).until(() -> observer.entered() == 1);
            assertThat(leaving).as("leavers while the victim is still in").noneMatch(Future::isDone);
            harness().inject(Fault.SESSION_EXPIRY, victim);
            for (Future<Boolean> member : leaving) {
                assertThat(member.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a leaver once the victim's session ended").isTrue();
            }
            figure("leavers released by a session's end", leaving.size());
        } finally {
            pool.shutdownNow();
        }
    }

    /** A member that runs out of time in {@code enter} withdraws, and a member that entered after it is told. */
    @Test
    void aMemberThatGivesUpWithdrawsAndTheOthersAreTold() throws Exception {
        String name = unique("impatient");
        DoubleBarrier observer = open().doubleBarrier(name, 3);
        DoubleBarrier patient = open().doubleBarrier(name, 3);
        DoubleBarrier impatient = open().doubleBarrier(name, 3);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> givingUp = pool.submit(() -> impatient.enter(Duration.ofSeconds(3)));
            await().atMost(PATIENCE).until(() -> observer.entered() == 1);
            Future<Boolean> waiting = pool.submit(() -> patient.enter(PATIENCE));
            assertThat(givingUp.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("enter() of a member out of time").isFalse();
            assertThatThrownBy(() -> waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the member that saw it arrive")
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(BarrierBrokenException.class);
            assertThat(observer.entered()).as("entries once both are out").isZero();
            assertThat(impatient.enter(Duration.ZERO)).as("entering again after giving up").isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Three members, one server restart while two wait: the third's arrival after it lets all three through. */
    @Test
    void membersWaitThroughAServerRestart() throws Exception {
        if (!canInject(Fault.SERVER_RESTART)) {
            return;
        }
        String name = unique("restart");
        DoubleBarrier observer = open().doubleBarrier(name, 3);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> waiting = new ArrayList<>();
            for (int m = 0; m < 2; m++) {
                DoubleBarrier barrier = open().doubleBarrier(name, 3);
                waiting.add(pool.submit(() -> barrier.enter(PATIENCE)));
            }
            await().atMost(PATIENCE).until(() -> observer.entered() == 2);
            Portal third = open();
            harness().inject(Fault.SERVER_RESTART, third);
            DoubleBarrier last = third.doubleBarrier(name, 3);
            assertThat(last.enter(PATIENCE)).as("the third member, after the restart").isTrue();
            for (Future<Boolean> member : waiting) {
                assertThat(member.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("a member that waited through the restart").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneHandleIsOneMemberOfOneRoundAtATime() throws Exception {
        DoubleBarrier alone = open().doubleBarrier(unique("alone"), 1);
        assertThat(alone.members()).isEqualTo(1);
        assertThatThrownBy(() -> alone.leave(PATIENCE)).as("leave() before enter()").isInstanceOf(IllegalStateException.class);
        assertThat(alone.enter(PATIENCE)).as("a barrier of one").isTrue();
        assertThat(alone.entered()).isEqualTo(1);
        assertThatThrownBy(() -> alone.enter(PATIENCE)).as("enter() twice").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("leave()");
        assertThat(alone.leave(PATIENCE)).isTrue();
        assertThat(alone.entered()).isZero();
        assertThat(alone.enter(PATIENCE)).as("the next round").isTrue();
        assertThat(alone.leave(PATIENCE)).isTrue();
    }

    @Test
    void badNamesCountsAndTimeoutsAreRefusedBeforeAnyIo() {
        Portal portal = open();
        String name = unique("bad");
        assertThatThrownBy(() -> portal.doubleBarrier("", 3)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("barrier name");
        assertThatThrownBy(() -> portal.doubleBarrier("x/y", 3)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("x/y");
        assertThatThrownBy(() -> portal.doubleBarrier(name, 0)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("members");
        DoubleBarrier barrier = portal.doubleBarrier(name, 3);
        assertThatThrownBy(() -> portal.doubleBarrier(name, 4)).as("another number for the same name")
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("members").hasMessageContaining("3");
        assertThatThrownBy(() -> barrier.enter(Duration.ofSeconds(-1))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("timeout");
        assertThat(barrier.entered()).as("entries after refused calls").isZero();
    }

    private static boolean enterNoting(DoubleBarrier barrier, AtomicLong lastTold) throws InterruptedException {
        try {
            return barrier.enter(PATIENCE);
        } finally {
            lastTold.accumulateAndGet(System.nanoTime(), Math::max);
        }
    }

    private static AtomicInteger[] counters(int n) {
        AtomicInteger[] counters = new AtomicInteger[n];
        for (int i = 0; i < n; i++) {
            counters[i] = new AtomicInteger();
        }
        return counters;
    }
}
