package io.cloudportal.memory;

import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.leader.LeadershipListener;
import java.time.Duration;
import java.util.Optional;

/** A candidate of a memory election, bound to its connection's current session. */
final class MemoryCandidacy implements Candidacy, io.cloudportal.spi.TermGuard {

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
    public io.cloudportal.lock.HeldLock termGuard() {
        long term = term().orElseThrow(() -> new io.cloudportal.LeadershipLostException(
                "candidate '" + candidateId + "' does not lead election '" + election + "' now: only a leader's term guards a write"));
        return new Term(term);
    }

    /** A term as a guard: it holds while this candidacy still leads in it (checked under the backend lock). */
    final class Term implements io.cloudportal.lock.HeldLock {
        private final io.cloudportal.lock.FencingToken token;

        private Term(long term) {
            this.token = new io.cloudportal.lock.FencingToken(term);
        }

        MemoryBackend backend() {
            return connection.backend();
        }

        @Override
        public String name() {
            return election;
        }

        @Override
        public io.cloudportal.lock.FencingToken fencingToken() {
            return token;
        }

        @Override
        public boolean isHeld() {
            return connection.backend().locked(() -> connection.backend().elections.termOf(MemoryCandidacy.this) == token.value());
        }

        @Override
        public void ensureHeld() {
            if (!isHeld()) {
                throw new io.cloudportal.LockLostException("term " + token.value() + " of election '" + election + "' has ended");
            }
        }

        @Override
        public void onLost(Runnable onLost) {
            // a guard is never watched: the candidacy's listener hears of a revocation
        }

        @Override
        public void close() {
            // a guard holds nothing of its own
        }
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
