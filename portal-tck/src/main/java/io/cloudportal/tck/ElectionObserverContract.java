package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.LeadershipEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Following an election without joining it: {@link LeaderElection#participants()} lists the live
 * candidates, the leader first, and {@link LeaderElection#observe} tells the leader at once and
 * then every leader in the order the candidates' own listeners were elected.
 */
@Requires(Facility.LEADER_ELECTION)
public abstract class ElectionObserverContract extends ContractSupport {

    @Test
    void anObserverHearsTheLeaderAtOnceAndEveryLeaderAfterInOrder() throws Exception {
        String name = unique("observed");
        LeaderElection observed = open().leaderElection(name);
        List<Optional<Leader>> heard = new CopyOnWriteArrayList<>();
        Watch watch = observed.observe(heard::add);
        await().atMost(PATIENCE).until(() -> heard.size() == 1);
        assertThat(heard.get(0)).as("the leader of an election nobody joined, told at once").isEmpty();
        assertThat(observed.participants()).isEmpty();

        List<LeadershipEvent> elected = new CopyOnWriteArrayList<>();
        List<Candidacy> candidates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Portal member = open();
            candidates.add(member.leaderElection(name).join("member-" + i, event -> {
                if (event.type() == LeadershipEvent.Type.ELECTED) {
                    elected.add(event);
                }
            }));
        }
        List<String> ids = List.of("member-0", "member-1", "member-2", "member-3", "member-4");
        await().atMost(PATIENCE).until(() -> observed.participants().size() == 5);
        for (int round = 0; round < 3; round++) {
            Candidacy leader = awaitLeader(candidates);
            String leaderId = observed.currentLeader().orElseThrow().candidateId();
            List<String> participants = observed.participants();
            assertThat(participants).as("participants in round %d", round).hasSize(5 - round).containsAnyElementsOf(ids)
                    .startsWith(leaderId);
            Leader expected = observed.currentLeader().orElseThrow();
            await().atMost(PATIENCE).until(() -> heard.stream().anyMatch(seen -> seen.equals(Optional.of(expected))));
            // The leader fails over: the next one is elected and heard before the round after.
            leader.close();
            candidates.remove(leader);
        }
        Candidacy last = awaitLeader(candidates);
        Leader finalLeader = observed.currentLeader().orElseThrow();
        await().atMost(PATIENCE).until(() -> heard.stream().anyMatch(seen -> seen.equals(Optional.of(finalLeader))));
        await().atMost(PATIENCE).until(() -> elected.size() >= 4);
        assertThat(last.isLeader()).isTrue();
        watch.close();

        List<String> observedLeaders = heard.stream().flatMap(Optional::stream).map(Leader::candidateId).distinct().toList();
        List<String> electedInOrder = elected.stream().sorted(Comparator.comparingLong(LeadershipEvent::term))
                .map(LeadershipEvent::candidateId).distinct().toList();
        List<Long> terms = heard.stream().flatMap(Optional::stream).map(Leader::term).toList();
        figure("leaders observed", observedLeaders.size());
        figure("leaders elected", electedInOrder.size());
        assertThat(observedLeaders).as("the leaders the observer heard, against those the candidates heard they were")
                .isEqualTo(electedInOrder);
        assertThat(terms).as("terms heard").isSorted();
        assertThat(observed.participants()).hasSize(2).startsWith(finalLeader.candidateId());
    }

    @Test
    void observingNeedsAnObserverAndStopsOnClose() throws Exception {
        LeaderElection election = open().leaderElection(unique("closing"));
        assertThatThrownBy(() -> election.observe(null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("observer");
        List<Optional<Leader>> heard = new CopyOnWriteArrayList<>();
        Watch watch = election.observe(heard::add);
        await().atMost(PATIENCE).until(() -> heard.size() == 1);
        watch.close();
        Candidacy joined = open().leaderElection(election.name()).join("after-close", event -> { });
        assertThat(joined.awaitLeadership(PATIENCE)).isTrue();
        await().during(java.time.Duration.ofMillis(300)).atMost(java.time.Duration.ofSeconds(2)).until(() -> heard.size() == 1);
    }

    private static Candidacy awaitLeader(List<Candidacy> candidates) {
        await().atMost(PATIENCE).until(() -> candidates.stream().filter(Candidacy::isLeader).count() == 1);
        return candidates.stream().filter(Candidacy::isLeader).findFirst().orElseThrow();
    }
}
