package io.cloudportal.internal;

import io.cloudportal.Capabilities;
import io.cloudportal.Facility;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A driver with no backend and no facilities, scheme {@code recording}: it only remembers the
 * context the portable layer built, so configuration loading can be tested without a server.
 */
public class RecordingDriver implements PortalDriver {

    static volatile DriverContext lastContext;

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("recording");
    }

    @Override
    public String artifact() {
        return "test";
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(EnumSet.noneOf(Facility.class), Set.of());
    }

    @Override
    public Set<String> options() {
        return Set.of("sessionTimeout", "password", "user");
    }

    @Override
    public Limits limits() {
        return Limits.PORTABLE;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        lastContext = context;
        return new DriverConnection() {
            private final io.cloudportal.spi.SessionState session = new io.cloudportal.spi.SessionState("a recording connection");

            @Override
            public io.cloudportal.spi.SessionState sessionState() {
                return session;
            }

            @Override
            public <T> Optional<T> unwrap(Class<T> type) {
                return Optional.empty();
            }

            @Override
            public void close() {
            }
        };
    }

    /** A second driver for the {@code twice} scheme, to prove a duplicate is refused. */
    public static class First extends RecordingDriver {
        @Override
        public Set<String> schemes() {
            return Set.of("twice");
        }
    }

    /** The other driver for the {@code twice} scheme. */
    public static class Second extends RecordingDriver {
        @Override
        public Set<String> schemes() {
            return Set.of("twice");
        }
    }
}
