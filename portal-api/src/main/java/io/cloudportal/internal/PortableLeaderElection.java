package io.cloudportal.internal;

import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.LeadershipListener;
import io.cloudportal.leader.Leader;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/** Validates election calls, runs leadership listeners on Portal's executor and tracks candidacies. */
final class PortableLeaderElection implements LeaderElection {

    private final DefaultPortal portal;
    private final LeaderElection driver;

    PortableLeaderElection(DefaultPortal portal, LeaderElection driver) {
        this.portal = portal;
        this.driver = driver;
    }

    @Override
    public String name() {
        return driver.name();
    }

    @Override
    public Candidacy join(String candidateId, LeadershipListener listener) {
        portal.ensureOpen("join()");
        Rules.characters("candidate id", Rules.name("candidate id", candidateId, portal.limits().maxNameLength()), portal.limits());
        Rules.notNull("listener", listener);
        Executor lane = portal.lane("leadership listener of '" + candidateId + "' in '" + driver.name() + "'");
        Candidacy candidacy = DriverCalls.guard(portal, "join()",
                () -> driver.join(candidateId, event -> lane.execute(() -> listener.leadershipChanged(event))));
        return portal.track(new PortableCandidacy(portal, candidacy));
    }

    @Override
    public Optional<Leader> currentLeader() {
        portal.ensureOpen("currentLeader()");
        return DriverCalls.guard(portal, "currentLeader()", driver::currentLeader);
    }

    /**
     * The driver's own candidacy behind one this connection handed out, for a guarded write.
     *
     * @throws io.cloudportal.InvalidArgumentException if it is not one this connection handed out, or was closed
     */
    static Candidacy driverCandidacyOf(DefaultPortal portal, Candidacy candidacy, String parameter) {
        Rules.notNull(parameter, candidacy);
        if (!(candidacy instanceof PortableCandidacy portable) || portable.portal != portal) {
            throw Rules.invalid(parameter, candidacy.toString(), "must be a candidacy of this connection (" + portal
                    + "): the server checks its own record of the leader");
        }
        if (portable.closed.get()) {
            throw Rules.invalid(parameter, candidacy.toString(), "was closed; a closed candidacy guards nothing");
        }
        return portable.driver;
    }

    private static final class PortableCandidacy implements Candidacy {
        private final DefaultPortal portal;
        private final Candidacy driver;
        private final AtomicBoolean closed = new AtomicBoolean();

        PortableCandidacy(DefaultPortal portal, Candidacy driver) {
            this.portal = portal;
            this.driver = driver;
        }

        @Override
        public String candidateId() {
            return driver.candidateId();
        }

        @Override
        public boolean isLeader() {
            return !closed.get() && driver.isLeader();
        }

        @Override
        public Optional<Long> term() {
            return closed.get() ? Optional.empty() : driver.term();
        }

        @Override
        public boolean awaitLeadership(Duration timeout) throws InterruptedException {
            Rules.duration("timeout", timeout, true);
            return !closed.get() && driver.awaitLeadership(timeout);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                portal.forget(this);
                driver.close();
            }
        }

        @Override
        public String toString() {
            return "Candidacy[" + driver.candidateId() + "]";
        }
    }
}
