package io.cloudportal.zookeeper;

import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.Leader;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.leader.LeadershipListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.api.UnhandledErrorListener;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An election on Curator's {@link LeaderLatch} at {@code /elections/<name>}: the latch gives up
 * leadership as soon as the connection is suspended, before the session can expire and another
 * candidate be elected. A term is the czxid of the leader's node. A revoked candidate leaves and
 * rejoins with a new node (Curator's latch would otherwise take leadership back with the node it
 * kept through a reconnect, under the same term), so terms strictly increase, also when ZooKeeper
 * reaps the empty parent and sequence numbers start again. A latch whose node Curator gave up
 * creating, because the server reaped a parent container in the middle, is joined again.
 */
final class ZooKeeperLeaderElection implements LeaderElection, io.cloudportal.spi.ObservableElection {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperLeaderElection.class);

    private final ZooKeeperConnection connection;
    private final String name;
    private final String path;

    ZooKeeperLeaderElection(ZooKeeperConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.path = "/elections/" + name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Candidacy join(String candidateId, LeadershipListener listener) {
        ZooKeeperCandidacy candidacy = new ZooKeeperCandidacy(candidateId, listener);
        try {
            candidacy.startLatch();
        } catch (Exception e) {
            candidacy.close();
            throw ZooKeeperErrors.map("joining election '" + name + "'", e);
        }
        return candidacy;
    }

    @Override
    public Optional<Leader> currentLeader() {
        try {
            List<String> children;
            try {
                children = connection.client().getChildren().forPath(path);
            } catch (KeeperException.NoNodeException none) {
                return Optional.empty();
            }
            Optional<String> first = children.stream().min(Comparator.comparing(ZooKeeperLeaderElection::sequence));
            if (first.isEmpty()) {
                return Optional.empty();
            }
            Stat stat = new Stat();
            byte[] id = connection.client().getData().storingStatIn(stat).forPath(path + "/" + first.get());
            return Optional.of(new Leader(new String(id, StandardCharsets.UTF_8), stat.getCzxid()));
        } catch (KeeperException.NoNodeException leftMeanwhile) {
            return currentLeader();
        } catch (Exception e) {
            throw ZooKeeperErrors.map("reading the leader of election '" + name + "'", e);
        }
    }

    /** Curator's {@code LeaderLatch.getParticipants} order: by the sequence of each candidate's node. */
    @Override
    public List<String> participants() {
        return connection.bounded("listing the candidates of election '" + name + "'", () -> {
            try {
                List<String> children;
                try {
                    children = connection.client().getChildren().forPath(path);
                } catch (KeeperException.NoNodeException none) {
                    return List.<String>of();
                }
                List<String> ids = new java.util.ArrayList<>();
                for (String child : children.stream().sorted(Comparator.comparing(ZooKeeperLeaderElection::sequence)).toList()) {
                    try {
                        ids.add(new String(connection.client().getData().forPath(path + "/" + child), StandardCharsets.UTF_8));
                    } catch (KeeperException.NoNodeException leftMeanwhile) {
                        // no longer a candidate
                    }
                }
                return ids;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("listing the candidates of election '" + name + "'", e);
            }
        });
    }

    /** A Curator cache of the election's nodes signals every join and leave, and resynchronises after a reconnect. */
    @Override
    public AutoCloseable onChange(Runnable changed) {
        org.apache.curator.framework.recipes.cache.CuratorCache cache =
                org.apache.curator.framework.recipes.cache.CuratorCache.build(connection.client(), path);
        cache.listenable().addListener((type, before, after) -> changed.run());
        org.apache.curator.framework.state.ConnectionStateListener reconnected = (client, state) -> {
            if (state == org.apache.curator.framework.state.ConnectionState.RECONNECTED) {
                changed.run();
            }
        };
        connection.client().getConnectionStateListenable().addListener(reconnected);
        cache.start();
        return () -> {
            connection.client().getConnectionStateListenable().removeListener(reconnected);
            cache.close();
        };
    }

    /** The sequence suffix ZooKeeper appended, which orders the candidates. */
    private static String sequence(String child) {
        return child.length() >= 10 ? child.substring(child.length() - 10) : child;
    }

    private final class ZooKeeperCandidacy implements Candidacy, io.cloudportal.spi.TermGuard {
        private final String candidateId;
        private final LeadershipListener listener;
        private final ExecutorService events;
        private volatile LeaderLatch latch;
        private volatile long electedTerm = -1;
        private volatile boolean closed;
        private final UnhandledErrorListener creationGaveUp = this::creationGaveUp;

        ZooKeeperCandidacy(String candidateId, LeadershipListener listener) {
            this.candidateId = candidateId;
            this.listener = listener;
            // Reading the term is a round trip: never on ZooKeeper's event thread.
            this.events = Executors.newSingleThreadExecutor(connection.context().threadFactory("election-" + name));
            connection.client().getUnhandledErrorListenable().addListener(creationGaveUp);
        }

        /**
         * The latch creates its node in the background under container parents, which the server
         * deletes once empty. When a parent Curator has just seen is reaped before the child is
         * created, Curator's mkdirs fails with NoNode, which its retry policy does not retry: the
         * latch logs it and waits forever without a node. Only this report says so; join again.
         */
        private void creationGaveUp(String message, Throwable error) {
            if (!(error instanceof KeeperException.NoNodeException missing) || !onThisElectionsPath(missing.getPath())) {
                return;
            }
            LeaderLatch stuck = latch;
            try {
                events.execute(() -> {
                    if (stuck != null && stuck.getOurPath() == null) {
                        LOG.info("Curator gave up creating the node of {} in election '{}' (a parent was reaped meanwhile); joining again",
                                candidateId, name);
                        rejoin(stuck);
                    }
                });
            } catch (RejectedExecutionException closedMeanwhile) {
                // the candidacy was closed
            }
        }

        /** The failed path is the election's node, one of its parents, or a node under it (namespace included). */
        private boolean onThisElectionsPath(String failed) {
            if (failed == null) {
                return false;
            }
            String ours = ZKPaths.makePath(connection.client().getNamespace(), path);
            return failed.equals(ours) || failed.startsWith(ours + "/") || ours.startsWith(failed + "/");
        }

        synchronized void startLatch() throws Exception {
            LeaderLatch next = new LeaderLatch(connection.client(), path, candidateId, LeaderLatch.CloseMode.NOTIFY_LEADER);
            next.addListener(new LeaderLatchListener() {
                @Override
                public void isLeader() {
                    long term = termOfOurNode(next);
                    if (term >= 0 && next == latch) {
                        electedTerm = term;
                        listener.leadershipChanged(new LeadershipEvent(LeadershipEvent.Type.ELECTED, name, candidateId, term));
                    }
                }

                @Override
                public void notLeader() {
                    long term = electedTerm;
                    electedTerm = -1;
                    if (term >= 0) {
                        listener.leadershipChanged(new LeadershipEvent(LeadershipEvent.Type.REVOKED, name, candidateId, term));
                    }
                    rejoin(next);
                }
            }, events);
            latch = next;
            next.start();
        }

        /**
         * Runs on the events thread after a revocation: a fresh node, so a regained leadership gets
         * a new term. While the connection is down the latch is left alone (its node goes with the
         * session if that expires) and the swap waits for the reconnect.
         */
        private void rejoin(LeaderLatch revoked) {
            if (!connection.isConnected()) {
                AutoCloseable[] reaction = new AutoCloseable[1];
                reaction[0] = connection.onState(state -> {
                    if (state == io.cloudportal.ConnectionState.RECONNECTED) {
                        try {
                            reaction[0].close();
                        } catch (Exception ignored) {
                            // removing a reaction does not fail
                        }
                        try {
                            events.execute(() -> rejoin(revoked));
                        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
                            // the candidacy was closed
                        }
                    }
                });
                if (!connection.isConnected()) {
                    return;
                }
                // Reconnected before the reaction was in place: rejoin now instead.
                try {
                    reaction[0].close();
                } catch (Exception ignored) {
                    // removing a reaction does not fail
                }
            }
            synchronized (this) {
                if (closed || revoked != latch) {
                    return;
                }
                try {
                    revoked.close(LeaderLatch.CloseMode.SILENT);
                } catch (Exception e) {
                    LOG.debug("Leaving election '{}' after a revocation failed; the node goes with the session", name, e);
                }
                try {
                    startLatch();
                } catch (Exception e) {
                    LOG.warn("Rejoining election '{}' as {} failed", name, candidateId, e);
                }
            }
        }

        private long termOfOurNode(LeaderLatch of) {
            String ourPath = of.getOurPath();
            if (ourPath == null) {
                return -1;
            }
            try {
                Stat stat = connection.client().checkExists().forPath(ourPath);
                return stat == null ? -1 : stat.getCzxid();
            } catch (Exception e) {
                LOG.debug("Reading the term of {} in election '{}' failed", candidateId, name, e);
                return -1;
            }
        }

        @Override
        public String candidateId() {
            return candidateId;
        }

        @Override
        public boolean isLeader() {
            // A leader paused past its session knows it on resuming, before Curator hears of it (SessionClock).
            return !closed && latch.hasLeadership() && System.nanoTime() - connection.sessionValidUntil() < 0;
        }

        @Override
        public Optional<Long> term() {
            if (!isLeader()) {
                return Optional.empty();
            }
            long term = electedTerm;
            if (term < 0) {
                term = termOfOurNode(latch);
            }
            return term < 0 || !isLeader() ? Optional.empty() : Optional.of(term);
        }

        /** The leader's latch node as a lock node: it exists exactly as long as this term leads. */
        @Override
        public io.cloudportal.lock.HeldLock termGuard() {
            LeaderLatch current = latch;
            String ourPath = current == null ? null : current.getOurPath();
            Optional<Long> term = term();
            if (ourPath == null || term.isEmpty() || current != latch) {
                throw new io.cloudportal.LeadershipLostException("candidate '" + candidateId + "' does not lead election '" + name
                        + "' now: only a leader's term guards a write");
            }
            return new ZooKeeperLock(connection, name).new Held(ourPath, term.get());
        }

        @Override
        public boolean awaitLeadership(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                LeaderLatch current = latch;
                if (closed || current == null) {
                    return false;
                }
                if (current.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    return !closed;
                }
                // A closed latch answers false at once. When a rejoin closed it, wait on its successor:
                // the rejoin swaps latches under this monitor, so the swap is complete here.
                synchronized (this) {
                    if (closed || latch == current || deadline - System.nanoTime() <= 0) {
                        return false;
                    }
                }
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            connection.client().getUnhandledErrorListenable().removeListener(creationGaveUp);
            try {
                // A candidacy whose latch never started (its path was refused) has nothing to leave.
                if (latch != null && latch.getState() == LeaderLatch.State.STARTED) {
                    latch.close();
                }
            } catch (Exception e) {
                LOG.warn("Leaving election '{}' failed; the node goes with the session", name, e);
            }
            events.shutdown();
            try {
                events.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
