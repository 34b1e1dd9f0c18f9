package io.cloudportal.spring.autoconfigure;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * One connection's health, from its session state and without I/O: CONNECTED and RECONNECTED are
 * UP; SUSPENDED is OUT_OF_SERVICE (the session may still come back, but locks and leadership are
 * not to be trusted meanwhile); EXPIRED and CLOSED are DOWN.
 */
final class PortalHealthIndicator implements HealthIndicator {

    private final Portal portal;

    PortalHealthIndicator(Portal portal) {
        this.portal = portal;
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
        ConnectionState state = portal.state();
        return Health.status(status(state)).withDetail("driver", portal.driverName()).withDetail("state", state.name())
                .withDetail("connection", portal.toString()).build();
    }
}
