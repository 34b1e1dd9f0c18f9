package io.cloudportal.internal;

import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.leader.LeadershipListener;
import io.cloudportal.leader.Leader;
import io.cloudportal.spi.ObservableElection;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/** Validates election calls, runs leadership listeners on Portal's executor and tracks candidacies. */
final class PortableLeaderElection implements LeaderElection {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PortableLeaderElection.class);

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

    /** Tells the observers of each change, with how long the term lasted when it ends. */
    private LeadershipListener tenure(LeadershipListener listener) {
        java.util.concurrent.atomic.AtomicLong electedAt = new java.util.concurrent.atomic.AtomicLong();
        return event -> {
            boolean leading = event.type() == io.cloudportal.leader.LeadershipEvent.Type.ELECTED;
            long now = System.nanoTime();
            long since = leading ? electedAt.getAndSet(now) : electedAt.getAndSet(0);
            java.time.Duration tenure = leading || since == 0 ? java.time.Duration.ZERO : java.time.Duration.ofNanos(now - since);
            portal.observers().leadershipChanged(portal.driverName(), driver.name(), leading, tenure);
            listener.leadershipChanged(event);
        };
    }

    @Override
    public Candidacy join(String candidateId, LeadershipListener listener) {
        portal.ensureOpen("join()");
        Rules.characters("candidate id", Rules.name("candidate id", candidateId, portal.limits().maxNameLength()), portal.limits());
        Rules.notNull("listener", listener);
        Executor lane = portal.lane("leadership listener of '" + candidateId + "' in '" + driver.name() + "'");
        LeadershipListener observed = portal.observers().none() ? listener : tenure(listener);
        Candidacy candidacy = DriverCalls.guard(portal, "join()",
                () -> driver.join(candidateId, event -> lane.execute(() -> observed.leadershipChanged(event))));
        return portal.track(new PortableCandidacy(portal, candidacy));
    }

    @Override
    public Optional<Leader> currentLeader() {
        portal.ensureOpen("currentLeader()");
        return DriverCalls.guard(portal, "currentLeader()", driver::currentLeader);
    }

    @Override
    public java.util.List<String> participants() {
        portal.ensureOpen("participants()");
        return DriverCalls.guard(portal, "participants()", () -> java.util.List.copyOf(observable("participants()").participants()));
    }

    @Override
    public io.cloudportal.Watch observe(io.cloudportal.leader.LeaderObserver observer) {
        portal.ensureOpen("observe()");
        Rules.notNull("observer", observer);
        ObservableElection observable = observable("observe()");
        Executor lane = portal.lane("leader observer of '" + driver.name() + "'");
        AtomicBoolean closed = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Optional<Leader>> told = new java.util.concurrent.atomic.AtomicReference<>();
        // Each signal reads the leader on the observer's lane, so reads and calls keep their order; only a change is told.
        Runnable check = () -> lane.execute(() -> {
            if (closed.get()) {
                return;
            }
            Optional<Leader> now;
            try {
                now = driver.currentLeader();
            } catch (io.cloudportal.PortalException unreadable) {
                LOG.debug("Reading the leader of '{}' for an observer failed; the next change or reconnect reads again: {}",
                        driver.name(), unreadable.toString());
                return;
            }
            Optional<Leader> before = told.get();
            if (before == null || !before.equals(now) && !older(now, before)) {
                told.set(now);
                observer.leaderChanged(now);
            }
        });
        AutoCloseable signals = DriverCalls.guard(portal, "observe()", () -> observable.onChange(check));
        check.run();
        return portal.track(new OnceWatch(portal, () -> {
            closed.set(true);
            try {
                signals.close();
            } catch (Exception e) {
                LOG.debug("Stopping an observer of '{}' failed: {}", driver.name(), e.toString());
            }
        }));
    }

    /** A leader of an earlier term than one told already (a read that was overtaken): never told after it. */
    private static boolean older(Optional<Leader> now, Optional<Leader> before) {
        return now.isPresent() && before.isPresent() && now.get().term() < before.get().term();
    }

    private ObservableElection observable(String operation) {
        if (driver instanceof ObservableElection observable) {
            return observable;
        }
        throw new io.cloudportal.UnsupportedFacilityException(operation + ": the " + portal.driverName() + " driver's elections cannot be observed");
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
