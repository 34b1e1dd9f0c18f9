package io.cloudportal.spring.autoconfigure;

import io.cloudportal.Portal;
import io.cloudportal.spring.PortalConnections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The actuator endpoint {@code portal}: each connection's driver, state and capabilities, and what
 * this application runs on them (its listeners with their lag, its candidacies and whether each
 * leads, its registrations in the service registry, the locks its jobs hold now). Read without I/O; URLs are shown with credentials hidden.
 */
@Endpoint(id = "portal")
public class PortalEndpoint {

    private final PortalConnections connections;
    private final PortalListeners listeners;
    private final PortalCandidates candidates;
    private final java.util.function.Supplier<java.util.Set<String>> locks;
    private final java.util.function.Supplier<Map<String, String>> registrations;

    PortalEndpoint(PortalConnections connections, PortalListeners listeners, PortalCandidates candidates,
                   java.util.function.Supplier<java.util.Set<String>> locks, java.util.function.Supplier<Map<String, String>> registrations) {
        this.connections = connections;
        this.listeners = listeners;
        this.candidates = candidates;
        this.locks = locks;
        this.registrations = registrations;
    }

    /** @return the connections, listeners and candidacies */
    @ReadOperation
    public Map<String, Object> portal() {
        Map<String, Object> connectionsByName = new LinkedHashMap<>();
        connections.asMap().forEach((name, portal) -> connectionsByName.put(name, describe(portal, connections.notOpenYet(portal))));
        List<Map<String, Object>> subscriptions = new ArrayList<>();
        for (PortalListeners.Running running : listeners.running()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("handler", running.handler());
            entry.put("connection", running.connection());
            entry.put("topic", running.options().topic());
            entry.put("group", running.options().group().orElse(null));
            running.subscription().lag().ifPresent(lag -> entry.put("lag", lag));
            subscriptions.add(entry);
        }
        List<Map<String, Object>> elections = new ArrayList<>();
        for (PortalCandidates.Joined joined : candidates.joined()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("election", joined.election());
            entry.put("connection", joined.connection());
            entry.put("candidateId", joined.candidacy().candidateId());
            entry.put("leader", joined.candidacy().isLeader());
            elections.add(entry);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connections", connectionsByName);
        body.put("listeners", subscriptions);
        body.put("candidacies", elections);
        body.put("registrations", registrations.get());
        body.put("heldLocks", locks.get().stream().sorted().toList());
        return body;
    }

    private static Map<String, Object> describe(Portal portal, java.util.Optional<String> notOpenYet) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("driver", portal.driverName());
        entry.put("connection", portal.toString());
        if (notOpenYet.isPresent()) {
            entry.put("state", "NOT_OPEN");
            entry.put("lastFailure", notOpenYet.get());
            return entry;
        }
        entry.put("state", portal.state().name());
        entry.put("facilities", portal.capabilities().facilities().stream().map(Enum::name).sorted().toList());
        entry.put("guarantees", portal.capabilities().guarantees().stream().map(Enum::name).sorted().toList());
        return entry;
    }
}
