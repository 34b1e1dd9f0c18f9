package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.PortalObserver;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The observation hooks of coordination on a real server: a lock waited for, held and lost
 * through a session expiry is heard as the waits, one release and one loss with its reason; a
 * failover is heard as one leadership change per candidate; registrations a session expiry took
 * are heard once each when they are back.
 */
public abstract class CoordinationObservationContract extends ContractSupport {

    /** Records what it hears, as "what:detail" lines. */
    private static final class Recorder implements PortalObserver {
        private final List<String> heard = new CopyOnWriteArrayList<>();

        @Override
        public Observation lockWaiting(String system, String lock) {
            return new Observation() {
                private String outcome = "none";

                @Override
                public void outcome(String said) {
                    outcome = said;
                }

                @Override
                public void end() {
                    heard.add("wait:" + outcome);
                }
            };
        }

        @Override
        public void lockReleased(String system, String lock, Duration held) {
            heard.add("released");
        }

        @Override
        public void lockLost(String system, String lock, Duration held, String reason) {
            heard.add("lost:" + reason);
        }

        @Override
        public void leadershipChanged(String system, String election, boolean leading, Duration tenure) {
            heard.add(leading ? "elected" : "revoked");
        }

        @Override
        public void registrationRestored(String system, String service) {
            heard.add("restored:" + service);
        }

        long count(String line) {
            return heard.stream().filter(line::equals).count();
        }
    }

    private static Recorder heardOn(Portal portal) {
        Recorder recorder = new Recorder();
        portal.observe(recorder);
        return recorder;
    }

    private boolean provides(Facility facility) {
        if (capabilities().provides(facility)) {
            return true;
        }
        notApplicable(facility + " not provided");
        return false;
    }

    @Test
    void aLockWaitedForHeldAndLostThroughSessionExpiryIsHeardAsTheWaitsOneReleaseAndOneLoss() throws Exception {
        if (!provides(Facility.LOCK) || !canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        String name = unique("observed-lock");
        Portal first = open();
        Portal victim = open();
        Recorder firstHeard = heardOn(first);
        Recorder victimHeard = heardOn(victim);
        HeldLock held = first.lock(name).acquire(PATIENCE);
        assertThat(victim.lock(name).tryAcquire(Duration.ofMillis(200))).isEmpty();
        held.close();
        HeldLock taken = victim.lock(name).acquire(PATIENCE);
        harness().inject(Fault.SESSION_EXPIRY, victim);
        await().atMost(PATIENCE).until(() -> !taken.isHeld());
        taken.close();
        String loss = victimHeard.heard.stream().filter(line -> line.startsWith("lost:")).findFirst().orElse("none");
        figure("lost with", loss);
        assertThat(firstHeard.heard).as("the first holder's connection").containsExactly("wait:acquired", "released");
        assertThat(victimHeard.heard).as("the victim's connection: a wait given up, one granted, then one loss and no release")
                .startsWith("wait:timeout", "wait:acquired").hasSize(3).doesNotContain("released");
        assertThat(loss).isIn("lost:connection_suspended", "lost:session_expired", "lost:lost");
    }

    @Test
    void aFailoverIsHeardAsOneLeadershipChangePerCandidate() throws Exception {
        if (!provides(Facility.LEADER_ELECTION) || !canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        String name = unique("observed-election");
        Portal first = open();
        Portal second = open();
        Recorder firstHeard = heardOn(first);
        Recorder secondHeard = heardOn(second);
        Candidacy leader = first.leaderElection(name).join("node-1", event -> { });
        await().atMost(PATIENCE).until(leader::isLeader);
        Candidacy standby = second.leaderElection(name).join("node-2", event -> { });
        await().atMost(PATIENCE).until(() -> firstHeard.count("elected") == 1);
        harness().inject(Fault.SESSION_EXPIRY, first);
        await().atMost(PATIENCE).until(standby::isLeader);
        await().atMost(PATIENCE).until(() -> firstHeard.count("revoked") == 1 && secondHeard.count("elected") == 1);
        figure("first candidate heard", String.join(" ", firstHeard.heard));
        figure("second candidate heard", String.join(" ", secondHeard.heard));
        assertThat(secondHeard.heard).as("the standby's connection").containsExactly("elected");
        assertThat(firstHeard.heard).as("the first leader's connection, up to its revocation").startsWith("elected", "revoked");
    }

    @Test
    void registrationsAnExpiredSessionTookAreHeardOnceEachWhenTheyAreBack() throws Exception {
        if (!provides(Facility.REGISTRY) || !canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        String service = unique("observed-service");
        Portal victim = open();
        Recorder heard = heardOn(victim);
        List<Registration> registrations = List.of(
                victim.registry().register(ServiceInstance.of(service, "a", "host-a", 1)),
                victim.registry().register(ServiceInstance.of(service, "b", "host-b", 2)));
        Portal observer = open();
        harness().inject(Fault.SESSION_EXPIRY, victim);
        await().atMost(PATIENCE).until(() -> heard.count("restored:" + service) >= 2);
        await().atMost(PATIENCE).until(() -> observer.registry().lookup(service).size() == 2);
        figure("restored heard", heard.count("restored:" + service));
        assertThat(heard.heard).as("what the victim's connection heard: each registration once").containsExactly(
                "restored:" + service, "restored:" + service);
        registrations.forEach(Registration::close);
    }
}
