package io.cloudportal.memory;

import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeadershipListener;
import java.util.Optional;

/** A named election seen through a memory connection. */
final class MemoryLeaderElection implements LeaderElection, io.cloudportal.spi.ObservableElection {

    private final MemoryConnection connection;
    private final String name;

    MemoryLeaderElection(MemoryConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Candidacy join(String candidateId, LeadershipListener listener) {
        MemoryCandidacy candidacy = new MemoryCandidacy(connection, name, candidateId, listener);
        MemoryBackend backend = connection.backend();
        backend.locked(() -> backend.elections.join(candidacy));
        return candidacy;
    }

    @Override
    public Optional<Leader> currentLeader() {
        MemoryBackend backend = connection.backend();
        return backend.locked(() -> backend.elections.leader(name));
    }

    @Override
    public java.util.List<String> participants() {
        MemoryBackend backend = connection.backend();
        return backend.locked(() -> backend.elections.participants(name));
    }

    @Override
    public AutoCloseable onChange(Runnable changed) {
        MemoryBackend backend = connection.backend();
        Runnable stop = backend.locked(() -> backend.elections.observe(name, changed));
        return () -> backend.locked(stop);
    }
}
