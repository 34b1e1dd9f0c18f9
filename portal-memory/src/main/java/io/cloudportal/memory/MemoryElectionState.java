package io.cloudportal.memory;

import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeadershipEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The shared elections of one backend: candidates in join order, the first one leads. Every
 * method runs under the backend lock; leadership listeners only enqueue on Portal's executor.
 */
final class MemoryElectionState {

    private static final class Election {
        final List<MemoryCandidacy> candidates = new ArrayList<>();
        final List<Runnable> observers = new ArrayList<>();
        MemoryCandidacy leader;
        long term;
    }

    private final MemoryBackend backend;
    private final Map<String, Election> elections = new HashMap<>();

    MemoryElectionState(MemoryBackend backend) {
        this.backend = backend;
    }

    void join(MemoryCandidacy candidacy) {
        Election election = elections.computeIfAbsent(candidacy.election(), e -> new Election());
        election.candidates.add(candidacy);
        electIfVacant(candidacy.election(), election);
        changed(election);
    }

    /** The candidates' ids, the leader first. */
    List<String> participants(String name) {
        Election election = elections.get(name);
        if (election == null) {
            return List.of();
        }
        List<String> ids = new ArrayList<>();
        if (election.leader != null) {
            ids.add(election.leader.candidateId());
        }
        election.candidates.stream().filter(candidacy -> candidacy != election.leader).forEach(candidacy -> ids.add(candidacy.candidateId()));
        return ids;
    }

    /** Registers a signal of every change of the election; the signal only hands on (it runs under the backend lock). */
    Runnable observe(String name, Runnable signal) {
        Election election = elections.computeIfAbsent(name, e -> new Election());
        election.observers.add(signal);
        return () -> election.observers.remove(signal);
    }

    private static void changed(Election election) {
        election.observers.forEach(Runnable::run);
    }

    void leave(MemoryCandidacy candidacy) {
        Election election = elections.get(candidacy.election());
        if (election == null || !election.candidates.remove(candidacy)) {
            return;
        }
        if (election.leader == candidacy) {
            revoke(candidacy.election(), election);
        }
        electIfVacant(candidacy.election(), election);
        changed(election);
    }

    /**
     * Revokes first, then moves the session's candidates to the back (or drops them when the
     * session closed for good), then elects: never two leaders.
     */
    void expire(long sessionId, boolean rejoin) {
        for (Map.Entry<String, Election> entry : elections.entrySet()) {
            Election election = entry.getValue();
            if (election.leader != null && election.leader.sessionId() == sessionId) {
                revoke(entry.getKey(), election);
            }
            List<MemoryCandidacy> expired = new ArrayList<>();
            election.candidates.removeIf(candidacy -> candidacy.sessionId() == sessionId && expired.add(candidacy));
            if (rejoin) {
                election.candidates.addAll(expired);
            }
        }
        elections.forEach(this::electIfVacant);
        elections.values().forEach(MemoryElectionState::changed);
    }

    Optional<Leader> leader(String name) {
        Election election = elections.get(name);
        if (election == null || election.leader == null) {
            return Optional.empty();
        }
        return Optional.of(new Leader(election.leader.candidateId(), election.term));
    }

    long termOf(MemoryCandidacy candidacy) {
        Election election = elections.get(candidacy.election());
        return election != null && election.leader == candidacy ? election.term : -1;
    }

    private void revoke(String name, Election election) {
        MemoryCandidacy former = election.leader;
        election.leader = null;
        former.tell(new LeadershipEvent(LeadershipEvent.Type.REVOKED, name, former.candidateId(), election.term));
        backend.changed.signalAll();
    }

    private void electIfVacant(String name, Election election) {
        if (election.leader == null && !election.candidates.isEmpty()) {
            election.leader = election.candidates.get(0);
            election.term = backend.nextRevision();
            election.leader.tell(new LeadershipEvent(LeadershipEvent.Type.ELECTED, name, election.leader.candidateId(), election.term));
            backend.changed.signalAll();
        }
    }
}
