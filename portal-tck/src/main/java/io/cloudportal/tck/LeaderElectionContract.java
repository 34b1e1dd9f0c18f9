package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.LeadershipEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The contract of {@link LeaderElection}: one leader at a time, failover, increasing terms, revocation before re-election. */
@Requires(Facility.LEADER_ELECTION)
public abstract class LeaderElectionContract extends ContractSupport {

    private static final int CANDIDATES = 5;

    private record Joined(Candidacy candidacy, List<LeadershipEvent> events) {
    }

    private Joined join(Portal portal, String election, String id) {
        List<LeadershipEvent> events = new CopyOnWriteArrayList<>();
        return new Joined(portal.leaderElection(election).join(id, events::add), events);
    }

    private static List<Joined> leaders(List<Joined> candidates) {
        return candidates.stream().filter(joined -> joined.candidacy.isLeader()).toList();
    }

    @Test
    void exactlyOneLeaderAmongCandidatesAndEveryoneCanSeeIt() {
        String election = unique("election");
        List<Joined> candidates = new ArrayList<>();
        for (int i = 0; i < CANDIDATES; i++) {
            candidates.add(join(open(), election, "candidate-" + i));
        }
        await().atMost(PATIENCE).until(() -> leaders(candidates).size() == 1);
        Joined leader = leaders(candidates).get(0);
        for (int sample = 0; sample < 50; sample++) {
            assertThat(leaders(candidates)).as("leaders at sample " + sample).hasSize(1);
        }
        LeaderElection observer = open().leaderElection(election);
        await().atMost(PATIENCE).until(() -> observer.currentLeader().map(Leader::candidateId)
                .equals(Optional.of(leader.candidacy.candidateId())));
        assertThat(observer.currentLeader().orElseThrow().term()).isEqualTo(leader.candidacy.term().orElseThrow());
        await().atMost(PATIENCE).until(() -> leader.events.stream().anyMatch(e -> e.type() == LeadershipEvent.Type.ELECTED));
        figure("candidates", CANDIDATES);
    }

    @Test
    void leadershipFailsOverWhenTheLeaderLeavesAndTermsIncrease() {
        String election = unique("election");
        List<Joined> candidates = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            candidates.add(join(open(), election, "candidate-" + i));
        }
        long previousTerm = Long.MIN_VALUE;
        List<Joined> remaining = new ArrayList<>(candidates);
        int failovers = 0;
        while (!remaining.isEmpty()) {
            await().atMost(PATIENCE).until(() -> leaders(remaining).size() == 1);
            Joined leader = leaders(remaining).get(0);
            long term = leader.candidacy.term().orElseThrow();
            assertThat(term).as("term of leader " + leader.candidacy.candidateId()).isGreaterThan(previousTerm);
            previousTerm = term;
            leader.candidacy.close();
            remaining.remove(leader);
            await().atMost(PATIENCE).until(() -> leader.events.stream().anyMatch(e -> e.type() == LeadershipEvent.Type.REVOKED));
            assertThat(leader.events).extracting(LeadershipEvent::type)
                    .containsExactly(LeadershipEvent.Type.ELECTED, LeadershipEvent.Type.REVOKED);
            failovers++;
        }
        figure("failovers", failovers);
        LeaderElection observer = open().leaderElection(election);
        await().atMost(PATIENCE).until(() -> observer.currentLeader().isEmpty());
    }

    @Test
    void anElectionWithoutCandidatesHasNoLeader() {
        assertThat(open().leaderElection(unique("election")).currentLeader()).isEmpty();
    }

    @Test
    void awaitLeadershipReturnsOnceElected() throws Exception {
        String election = unique("election");
        Joined first = join(open(), election, "first");
        assertThat(first.candidacy.awaitLeadership(PATIENCE)).isTrue();
        long firstTerm = first.candidacy.term().orElseThrow();
        Joined second = join(open(), election, "second");
        assertThat(second.candidacy.awaitLeadership(java.time.Duration.ofMillis(200))).as("while the first leads").isFalse();
        first.candidacy.close();
        assertThat(second.candidacy.awaitLeadership(PATIENCE)).isTrue();
        assertThat(second.candidacy.term().orElseThrow()).isGreaterThan(firstTerm);
    }

    @Test
    void leadershipIsRevokedOnSessionExpiryBeforeAnotherIsElected() throws Exception {
        if (canInject(Fault.SESSION_EXPIRY)) {
            revokedBeforeAnotherIsElected(Fault.SESSION_EXPIRY);
        }
    }

    @Test
    void leadershipIsRevokedWhenTheLeadersConnectionIsCut() throws Exception {
        if (canInject(Fault.CONNECTION_CUT)) {
            revokedBeforeAnotherIsElected(Fault.CONNECTION_CUT);
        }
    }

    @Test
    void leadershipIsRevokedWhenTheServerRestarts() throws Exception {
        if (canInject(Fault.SERVER_RESTART)) {
            revokedBeforeAnotherIsElected(Fault.SERVER_RESTART);
        }
    }

    private static boolean spans(Candidacy first, Candidacy second) {
        Optional<Long> before = first.term();
        boolean secondLeads = second.isLeader();
        Optional<Long> after = first.term();
        return before.isPresent() && secondLeads && before.equals(after);
    }

    private void revokedBeforeAnotherIsElected(Fault fault) throws Exception {
        String election = unique("election");
        Portal victim = open();
        Joined leader = join(victim, election, "victim");
        assertThat(leader.candidacy.awaitLeadership(PATIENCE)).isTrue();
        // The fault comes after the leader has heard it leads, so its revocation can be heard too.
        await().atMost(PATIENCE).until(() -> leader.events.stream().anyMatch(e -> e.type() == LeadershipEvent.Type.ELECTED));
        long oldTerm = leader.candidacy.term().orElseThrow();
        Joined other = join(open(), election, "other");
        AtomicLong overlaps = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        // Two reads are never simultaneous, so an overlap counts only when one candidate held the
        // same term before and after the other was seen leading: its leadership spanned that moment.
        Thread sampler = new Thread(() -> {
            while (sampling.get()) {
                if (spans(leader.candidacy, other.candidacy) || spans(other.candidacy, leader.candidacy)) {
                    overlaps.incrementAndGet();
                }
                Thread.onSpinWait();
            }
        }, "tck-leader-sampler");
        sampler.start();
        try {
            harness().inject(fault, victim);
            await().atMost(PATIENCE).until(() -> leader.events.stream().anyMatch(e -> e.type() == LeadershipEvent.Type.REVOKED));
            await().atMost(PATIENCE).until(() -> leaders(List.of(leader, other)).size() == 1);
        } finally {
            sampling.set(false);
            sampler.join();
        }
        Joined now = leaders(List.of(leader, other)).get(0);
        figure("overlappingLeaders", overlaps.get());
        assertThat(overlaps.get()).as("samples with two leaders").isZero();
        assertThat(now.candidacy.term().orElseThrow()).as("term after the fault").isGreaterThan(oldTerm);
    }
}
