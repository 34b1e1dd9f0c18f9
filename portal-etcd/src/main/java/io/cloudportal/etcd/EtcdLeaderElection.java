package io.cloudportal.etcd;

import io.cloudportal.ConnectionState;
import io.cloudportal.spi.SessionState;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.leader.LeadershipListener;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An election on the key protocol of {@code etcdctl elect} ({@link KeyQueue}) under
 * {@code <root>/elections/<name>/}: each candidate's key holds its id, the oldest key leads, and
 * {@code etcdctl elect --listen} shows Portal's leader. A term is the leader key's create
 * revision. Leadership is given up as soon as the session is suspended, before the lease can
 * expire and another candidate be elected; the candidate then queues again with a new key once
 * the session is back, so a regained leadership has a newer term.
 */
final class EtcdLeaderElection implements LeaderElection, io.cloudportal.spi.ObservableElection {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdLeaderElection.class);

    private final EtcdConnection connection;
    private final String name;
    private final String prefix;
    private final KeyQueue queue;

    EtcdLeaderElection(EtcdConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.prefix = connection.key("elections/" + name + "/");
        this.queue = connection.queue(prefix);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Candidacy join(String candidateId, LeadershipListener listener) {
        EtcdCandidacy candidacy = new EtcdCandidacy(candidateId, listener);
        try {
            connection.await("joining election '" + name + "'", candidacy.campaign());
        } catch (RuntimeException e) {
            candidacy.close();
            throw e;
        }
        return candidacy;
    }

    @Override
    public Optional<Leader> currentLeader() {
        return connection.await("reading the leader of election '" + name + "'", queue.first())
                .map(kv -> new Leader(kv.getValue().toString(StandardCharsets.UTF_8), kv.getCreateRevision()));
    }

    /** The queue's keys by create revision, as {@code etcdctl elect} orders them: the leader first. */
    @Override
    public java.util.List<String> participants() {
        return connection.await("listing the candidates of election '" + name + "'", connection.client().getKVClient()
                .get(EtcdConnection.bytes(prefix), GetOption.builder().isPrefix(true).withSortField(GetOption.SortTarget.CREATE)
                        .withSortOrder(GetOption.SortOrder.ASCEND).build()))
                .getKvs().stream().map(kv -> kv.getValue().toString(StandardCharsets.UTF_8)).toList();
    }

    /** A watch of the queue's prefix signals each put and delete, and its re-creation after a reconnect. */
    @Override
    public AutoCloseable onChange(Runnable changed) {
        io.etcd.jetcd.Watch.Watcher watcher = connection.client().getWatchClient().watch(EtcdConnection.bytes(prefix),
                io.etcd.jetcd.options.WatchOption.builder().isPrefix(true).withCreateNotify(true).build(),
                response -> changed.run(), error -> changed.run());
        return watcher::close;
    }

    private final class EtcdCandidacy implements Candidacy, io.cloudportal.spi.TermGuard {
        private final String candidateId;
        private final LeadershipListener listener;
        private final AutoCloseable sessionWatch;
        /** Counts this candidate's keys; work for an older key is dropped. */
        private long campaign;
        private ByteSequence key;
        private int slot = -1;
        private EtcdSession.Lease lease;
        private KeyQueue.Turn turn;
        private long term = -1;
        private boolean waitingForSession;
        private boolean closed;

        EtcdCandidacy(String candidateId, LeadershipListener listener) {
            this.candidateId = candidateId;
            this.listener = listener;
            this.sessionWatch = connection.session().onState(this::sessionChanged);
        }

        /** Puts a new key for this candidate and queues it; completes once the key is in. */
        CompletableFuture<Long> campaign() {
            ByteSequence next;
            EtcdSession.Lease nextLease = connection.session().lease();
            long number;
            int nextSlot;
            synchronized (this) {
                if (closed) {
                    return CompletableFuture.completedFuture(-1L);
                }
                number = ++campaign;
                nextSlot = queue.takeSlot();
                next = EtcdConnection.bytes(prefix + KeyQueue.keyName(nextLease, nextSlot));
                key = next;
                slot = nextSlot;
                lease = nextLease;
            }
            return connection.client().getKVClient().txn()
                    .If(new Cmp(next, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(next, EtcdConnection.bytes(candidateId), PutOption.builder().withLeaseId(nextLease.id()).build()),
                            Op.get(next, GetOption.DEFAULT))
                    .commit()
                    .thenCompose(response -> {
                        if (!response.isSucceeded()) {
                            // The name is taken (a delete still on its way): it stays marked; try the next one.
                            return campaign();
                        }
                        long created = response.getGetResponses().get(0).getKvs().get(0).getCreateRevision();
                        queueUp(number, next, created);
                        return CompletableFuture.completedFuture(created);
                    });
        }

        /** Deletes this candidate's current key and gives its name back. */
        private CompletableFuture<?> withdraw(ByteSequence old, EtcdSession.Lease oldLease, int oldSlot) {
            return queue.remove(old, oldLease, oldSlot);
        }

        private void queueUp(long number, ByteSequence ownKey, long created) {
            KeyQueue.Turn waiting;
            synchronized (this) {
                if (closed || number != campaign) {
                    return;
                }
                waiting = queue.awaitTurn(ownKey, created, KeyQueue.Rule.places(1));
                turn = waiting;
            }
            waiting.whenComplete((first, error) -> {
                if (error == null && first) {
                    elected(number, created);
                } else if (error == null) {
                    // Our key went with the lease; the session's EXPIRED and RECONNECTED bring a new one.
                    synchronized (this) {
                        if (number == campaign) {
                            waitingForSession = true;
                        }
                    }
                } else if (!(error instanceof java.util.concurrent.CancellationException)) {
                    LOG.warn("Waiting for leadership of election '{}' as {} failed; waiting again once the session is back", name,
                            candidateId, error);
                    synchronized (this) {
                        if (number == campaign) {
                            waitingForSession = true;
                        }
                    }
                }
            });
        }

        private void elected(long number, long created) {
            synchronized (this) {
                if (closed || number != campaign || !connection.session().isLive() || !connection.session().lease().equals(lease)) {
                    return;
                }
                term = created;
                notifyAll();
            }
            listener.leadershipChanged(new LeadershipEvent(LeadershipEvent.Type.ELECTED, name, candidateId, created));
        }

        /** Runs on the session thread: give up at once on trouble, queue again when the session is back. */
        private void sessionChanged(ConnectionState state) {
            if (SessionState.endsHolding(state)) {
                revoke();
            } else if (state == ConnectionState.RECONNECTED) {
                ByteSequence old;
                EtcdSession.Lease oldLease;
                int oldSlot;
                synchronized (this) {
                    if (closed || !waitingForSession) {
                        return;
                    }
                    waitingForSession = false;
                    old = key;
                    oldLease = lease;
                    oldSlot = slot;
                }
                // The old key may have survived with the lease: remove it, then queue at the back.
                withdraw(old, oldLease, oldSlot).whenComplete((ignored, error) -> campaign().exceptionally(failure -> {
                    LOG.warn("Rejoining election '{}' as {} failed", name, candidateId, failure);
                    return -1L;
                }));
            }
        }

        private void revoke() {
            long revokedTerm;
            synchronized (this) {
                if (closed) {
                    return;
                }
                campaign++;
                waitingForSession = true;
                if (turn != null) {
                    turn.cancel(true);
                }
                revokedTerm = term;
                term = -1;
            }
            if (revokedTerm >= 0) {
                listener.leadershipChanged(new LeadershipEvent(LeadershipEvent.Type.REVOKED, name, candidateId, revokedTerm));
            }
        }

        @Override
        public String candidateId() {
            return candidateId;
        }

        @Override
        public synchronized boolean isLeader() {
            // A leader paused past its lease's TTL knows it on resuming, before any answer (EtcdSession#validUntil).
            return !closed && term >= 0 && connection.session().isLive() && lease != null
                    && System.nanoTime() - connection.session().validUntil(lease) < 0;
        }

        /** The leader's key as a lock key: it exists with this create revision exactly as long as this term leads. */
        @Override
        public synchronized io.cloudportal.lock.HeldLock termGuard() {
            if (!isLeader()) {
                throw new io.cloudportal.LeadershipLostException("candidate '" + candidateId + "' does not lead election '" + name
                        + "' now: only a leader's term guards a write");
            }
            return EtcdLock.termGuard(connection, name, key, slot, term, lease);
        }

        @Override
        public synchronized Optional<Long> term() {
            return isLeader() ? Optional.of(term) : Optional.empty();
        }

        @Override
        public synchronized boolean awaitLeadership(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!closed && term < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return isLeader();
        }

        @Override
        public void close() {
            long revokedTerm;
            ByteSequence ours;
            EtcdSession.Lease ourLease;
            int ourSlot;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                campaign++;
                if (turn != null) {
                    turn.cancel(true);
                }
                revokedTerm = term;
                term = -1;
                ours = key;
                ourSlot = slot;
                ourLease = lease;
                notifyAll();
            }
            try {
                sessionWatch.close();
            } catch (Exception e) {
                LOG.debug("Removing the session watch of election '{}' failed", name, e);
            }
            if (revokedTerm >= 0) {
                listener.leadershipChanged(new LeadershipEvent(LeadershipEvent.Type.REVOKED, name, candidateId, revokedTerm));
            }
            if (ours != null) {
                try {
                    connection.await("leaving election '" + name + "'", withdraw(ours, ourLease, ourSlot));
                } catch (RuntimeException e) {
                    LOG.warn("Leaving election '{}' failed; etcd removes the key when the lease ends", name, e);
                }
            }
        }
    }
}
