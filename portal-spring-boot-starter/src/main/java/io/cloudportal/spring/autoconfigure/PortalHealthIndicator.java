package io.cloudportal.spring.autoconfigure;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.spring.PortalConnections;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One connection's health, from its session state and without I/O: CONNECTED and RECONNECTED are
 * UP; SUSPENDED is OUT_OF_SERVICE (the session may still come back, but locks and leadership are
 * not to be trusted meanwhile); EXPIRED and CLOSED are DOWN, and so is a connection the
 * application started without ({@code portal.fail-fast=false}) until it opens, with state
 * {@code NOT_OPEN} and its last failure.
 */
final class PortalHealthIndicator implements HealthIndicator {

    private final Portal portal;
    private final PortalConnections connections;

    PortalHealthIndicator(Portal portal, PortalConnections connections) {
        this.portal = portal;
        this.connections = connections;
    }

    static Status status(ConnectionState state) {
        return switch (state) {
            case CONNECTED, RECONNECTED -> Status.UP;
            case SUSPENDED -> Status.OUT_OF_SERVICE;
            case EXPIRED, CLOSED -> Status.DOWN;
        };
    }

    @Override
    public Health health() {
        Optional<String> notOpenYet = connections.notOpenYet(portal);
        if (notOpenYet.isPresent()) {
            return Health.down().withDetail("driver", portal.driverName()).withDetail("state", "NOT_OPEN")
                    .withDetail("connection", portal.toString()).withDetail("lastFailure", notOpenYet.get()).build();
        }
        ConnectionState state = portal.state();
        return Health.status(status(state)).withDetail("driver", portal.driverName()).withDetail("state", state.name())
                .withDetail("connection", portal.toString()).build();
    }
}
