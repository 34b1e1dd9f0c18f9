package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeadershipEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Leader election: three candidates for {@code scheduler}; one leads; it stops; another is
 * elected; everyone, candidate or not, can ask who leads.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.LeaderExample</pre>
 */
public final class LeaderExample {

    private LeaderExample() {
    }

    /**
     * Runs the example on the configured coordination backend (an embedded ZooKeeper if none).
     *
     * @param args unused
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Transcript out = Transcript.console();
        try (Backend backend = Backend.coordination(out)) {
            run(backend::connect, out);
        }
    }

    /**
     * The example itself.
     *
     * @param connect opens a connection, as one process of the system would
     * @param out where the example says what happens
     * @throws Exception if a step fails
     */
    public static void run(Supplier<Portal> connect, Transcript out) throws Exception {
        List<Portal> nodes = new ArrayList<>();
        List<Candidacy> candidacies = new ArrayList<>();
        CountDownLatch firstElected = new CountDownLatch(1);
        CountDownLatch secondElected = new CountDownLatch(2);
        try (Portal observer = connect.get()) {
            for (int n = 1; n <= 3; n++) {
                Portal node = connect.get();
                nodes.add(node);
                // The listener is where a node starts and stops its leader-only work; a revocation always comes
                // before anyone else is elected, so two nodes never run it at once.
                candidacies.add(node.leaderElection("scheduler").join("node-" + n, event -> {
                    out.say("%s is %s (term %d)", event.candidateId(),
                            event.type() == LeadershipEvent.Type.ELECTED ? "elected leader" : "no longer leader", event.term());
                    if (event.type() == LeadershipEvent.Type.ELECTED) {
                        firstElected.countDown();
                        secondElected.countDown();
                    }
                }));
            }
            if (!firstElected.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 30 s for a leader");
            }
            Leader leader = observer.leaderElection("scheduler").currentLeader().orElseThrow();
            out.say("everyone sees %s leading", leader.candidateId());

            int index = Integer.parseInt(leader.candidateId().substring("node-".length())) - 1;
            candidacies.get(index).close();
            nodes.get(index).close();
            out.say("%s stopped", leader.candidateId());
            if (!secondElected.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("waited 30 s for a new leader");
            }
            Optional<Leader> next = observer.leaderElection("scheduler").currentLeader();
            out.say("everyone sees %s leading now", next.map(Leader::candidateId).orElse("nobody"));
        } finally {
            candidacies.forEach(Candidacy::close);
            nodes.forEach(Portal::close);
        }
    }
}
