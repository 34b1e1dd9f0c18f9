package io.cloudportal.memory;

import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.leader.LeadershipListener;
import java.time.Duration;
import java.util.Optional;

/** A candidate of a memory election, bound to its connection's current session. */
final class MemoryCandidacy implements Candidacy {

    private final MemoryConnection connection;
    private final String election;
    private final String candidateId;
    private final LeadershipListener listener;
    private boolean closed;

    MemoryCandidacy(MemoryConnection connection, String election, String candidateId, LeadershipListener listener) {
        this.connection = connection;
        this.election = election;
        this.candidateId = candidateId;
        this.listener = listener;
    }

    String election() {
        return election;
    }

    long sessionId() {
        return connection.sessionId();
    }

    void tell(LeadershipEvent event) {
        listener.leadershipChanged(event);
    }

    @Override
    public String candidateId() {
        return candidateId;
    }

    @Override
    public boolean isLeader() {
        return term().isPresent();
    }

    @Override
    public Optional<Long> term() {
        MemoryBackend backend = connection.backend();
        long term = backend.locked(() -> backend.elections.termOf(this));
        return term < 0 ? Optional.empty() : Optional.of(term);
    }

    @Override
    public boolean awaitLeadership(Duration timeout) throws InterruptedException {
        MemoryBackend backend = connection.backend();
        long deadline = System.nanoTime() + timeout.toNanos();
        backend.lock.lockInterruptibly();
        try {
            while (!closed && backend.elections.termOf(this) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                backend.changed.awaitNanos(left);
            }
            return !closed;
        } finally {
            backend.lock.unlock();
        }
    }

    @Override
    public void close() {
        MemoryBackend backend = connection.backend();
        backend.locked(() -> {
            if (!closed) {
                closed = true;
                backend.elections.leave(this);
                backend.changed.signalAll();
            }
        });
    }
}
