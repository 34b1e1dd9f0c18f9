package io.cloudportal.spring.autoconfigure;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.leader.LeadershipEvent;
import io.cloudportal.spring.PortalCandidate;
import io.cloudportal.spring.PortalConnections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/** Joins each {@link PortalCandidate} bean's election when the context starts and leaves it when it stops. */
final class PortalCandidates implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PortalCandidates.class);

    private final ObjectProvider<PortalConnections> connections;
    private final ObjectProvider<PortalCandidate> candidates;
    private final String candidateId;
    private final List<Joined> joined = new CopyOnWriteArrayList<>();
    private final List<Watch> handles = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    PortalCandidates(ObjectProvider<PortalConnections> connections, ObjectProvider<PortalCandidate> candidates, String candidateId) {
        this.connections = connections;
        this.candidates = candidates;
        this.candidateId = candidateId;
    }

    /** A candidacy this instance holds, for the actuator endpoint. */
    record Joined(String election, String connection, Candidacy candidacy) {
    }

    @Override
    public synchronized void start() {
        PortalConnections open = connections.getObject();
        try {
            candidates.orderedStream().forEach(candidate -> {
                String connection = candidate.connection();
                Portal portal = connection.isEmpty() ? open.primary() : open.get(connection);
                // Now, or once a connection the application started without opens.
                handles.add(open.whenOpen(portal, ready -> {
                    Candidacy candidacy = ready.leaderElection(candidate.election()).join(candidateId, event -> dispatch(candidate, event));
                    joined.add(new Joined(candidate.election(), connection.isEmpty() ? "(primary)" : connection, candidacy));
                    return candidacy;
                }));
            });
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        started = true;
    }

    private static void dispatch(PortalCandidate candidate, LeadershipEvent event) {
        try {
            if (event.type() == LeadershipEvent.Type.ELECTED) {
                candidate.granted(event);
            } else {
                candidate.revoked(event);
            }
        } catch (RuntimeException e) {
            LOG.warn("PortalCandidate {} of election '{}' failed on {}: {}", candidate, event.election(), event.type(), e.toString(), e);
        }
    }

    @Override
    public synchronized void stop() {
        InReverse.close(handles, Watch::close, (handle, e) -> LOG.warn("Leaving an election failed: {}", e.toString()));
        handles.clear();
        joined.clear();
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    List<Joined> joined() {
        return List.copyOf(joined);
    }
}
