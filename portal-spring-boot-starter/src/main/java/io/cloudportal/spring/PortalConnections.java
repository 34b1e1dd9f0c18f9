package io.cloudportal.spring;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.Watch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's Portal connections by name, opened from {@link PortalProperties} at startup
 * and closed, in reverse order, when the context closes. The one from {@code portal.url} is named
 * {@value PortalProperties#DEFAULT_CONNECTION} and is also the {@code Portal} bean; the others are
 * reached here, or by {@code @PortalListener(connection = "<name>")}.
 */
public final class PortalConnections implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PortalConnections.class);

    private final Map<String, Portal> connections;

    private PortalConnections(Map<String, Portal> connections) {
        this.connections = Collections.unmodifiableMap(connections);
    }

    /**
     * Opens every configured connection; if one fails, those already open are closed.
     *
     * @param properties the bound properties
     * @return the open connections
     * @throws PortalStartupException naming the property whose connection failed, and why
     */
    public static PortalConnections open(PortalProperties properties) {
        Map<String, Portal> open = new LinkedHashMap<>();
        String memory = properties.getTest().getMemory();
        if (memory != null && !memory.isBlank()) {
            return onMemory(properties, memory);
        }
        try {
            if (properties.getUrl() != null) {
                open.put(PortalProperties.DEFAULT_CONNECTION, connect("portal.url", properties.getUrl(), properties.getOptions(),
                        properties.isFailFast()));
            }
            properties.getConnections().forEach((name, connection) -> {
                String property = "portal.connections." + name + ".url";
                if (name.equals(PortalProperties.DEFAULT_CONNECTION) && open.containsKey(name)) {
                    throw new PortalStartupException(property, "the name '" + name + "' is taken by portal.url; choose another");
                }
                if (connection.getUrl() == null || connection.getUrl().isBlank()) {
                    throw new PortalStartupException(property, "is not set; every connection needs a URL such as zookeeper://localhost:2181/app");
                }
                open.put(name, connect(property, connection.getUrl(), connection.getOptions(), properties.isFailFast()));
            });
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
        if (open.isEmpty()) {
            throw new PortalStartupException("portal.url", "is not set (nor any portal.connections.<name>.url); set it, e.g. "
                    + "portal.url=zookeeper://localhost:2181/app, or portal.url=memory://test in tests");
        }
        return new PortalConnections(open);
    }

    /** Every configured connection on one memory backend, for an application's own tests ({@code portal.test.memory}). */
    private static PortalConnections onMemory(PortalProperties properties, String memory) {
        java.util.List<String> names = new ArrayList<>();
        if (properties.getUrl() != null) {
            names.add(PortalProperties.DEFAULT_CONNECTION);
        }
        names.addAll(properties.getConnections().keySet());
        if (names.isEmpty()) {
            names.add(PortalProperties.DEFAULT_CONNECTION);
        }
        Map<String, Portal> open = new LinkedHashMap<>();
        try {
            for (String name : names) {
                open.put(name, connect("portal.test.memory", "memory://" + memory, Map.of(), true));
            }
        } catch (RuntimeException e) {
            closeAll(open);
            throw e;
        }
        LOG.info("portal.test.memory={}: the connections {} run on memory://{} instead of their URLs", memory, open.keySet(), memory);
        return new PortalConnections(open);
    }

    private static Portal connect(String property, String url, Map<String, String> options, boolean failFast) {
        try {
            Portal portal = Portal.connect(url, options);
            LOG.info("Portal connection {} ({}) opened from {}", portal, portal.driverName(), property);
            return portal;
        } catch (ConfigurationException e) {
            throw new PortalStartupException(property, "cannot be used: " + e.getMessage(), e);
        } catch (PortalException e) {
            if (failFast) {
                throw new PortalStartupException(property, "names a backend that could not be reached: " + e.getMessage()
                        + " (set portal.fail-fast=false to start anyway and connect in the background)", e);
            }
            LOG.warn("{} names a backend that could not be reached: {}; starting anyway (portal.fail-fast=false), "
                    + "its health is DOWN until it opens in the background", property, e.getMessage());
            return new PendingPortal(property, url, () -> Portal.connect(url, options), e);
        }
    }

    /**
     * Runs an action with a connection once it is open: now for one that opened at startup, later
     * (on the thread that opened it) for one the application started without
     * ({@code portal.fail-fast=false}); an action that fails then is logged.
     *
     * @param connection one of these connections
     * @param action what to do with it; what it returns is closed with the handle
     * @return a handle that cancels the action if it has not run yet, and closes what it returned if it has
     */
    public Watch whenOpen(Portal connection, Function<Portal, ? extends AutoCloseable> action) {
        if (connection instanceof PendingPortal pending) {
            return pending.whenOpen(action);
        }
        AutoCloseable made = action.apply(connection);
        return made == null ? () -> { } : () -> {
            try {
                made.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed: {}", made, e.toString());
            }
        };
    }

    /**
     * Why a connection the application started without ({@code portal.fail-fast=false}) is not open yet.
     *
     * @param connection one of these connections
     * @return the last failure to open it, or empty once it is open (and for every connection that opened at startup)
     */
    public Optional<String> notOpenYet(Portal connection) {
        return connection instanceof PendingPortal pending ? pending.notOpenYet() : Optional.empty();
    }

    /**
     * A connection by name.
     *
     * @param name {@value PortalProperties#DEFAULT_CONNECTION} for {@code portal.url}, else the name under {@code portal.connections}
     * @return the connection
     * @throws IllegalArgumentException naming the configured connections if there is none of that name
     */
    public Portal get(String name) {
        Portal portal = connections.get(name);
        if (portal == null) {
            throw new IllegalArgumentException("no Portal connection is named '" + name + "'; configured: " + connections.keySet());
        }
        return portal;
    }

    /**
     * The connection an unnamed use means: the one from {@code portal.url}, or the only one configured.
     *
     * @return the connection
     * @throws IllegalStateException if several are named and {@code portal.url} is not set
     */
    public Portal primary() {
        Portal portal = connections.get(PortalProperties.DEFAULT_CONNECTION);
        if (portal != null) {
            return portal;
        }
        if (connections.size() == 1) {
            return connections.values().iterator().next();
        }
        throw new IllegalStateException("several Portal connections are configured " + connections.keySet()
                + " and portal.url is not set: name one (connection = \"...\")");
    }

    /**
     * The names of the connections, in the order they were configured.
     *
     * @return the names
     */
    public Set<String> names() {
        return connections.keySet();
    }

    /**
     * The connections by name.
     *
     * @return an unmodifiable view
     */
    public Map<String, Portal> asMap() {
        return connections;
    }

    /** Closes every connection, the last opened first. */
    @Override
    public void close() {
        closeAll(connections);
    }

    private static void closeAll(Map<String, Portal> open) {
        List<Portal> reversed = new ArrayList<>(open.values());
        Collections.reverse(reversed);
        for (Portal portal : reversed) {
            try {
                portal.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing Portal connection {} failed: {}", portal, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "PortalConnections" + connections.keySet();
    }
}
