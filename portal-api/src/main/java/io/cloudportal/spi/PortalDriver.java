package io.cloudportal.spi;

import io.cloudportal.Capabilities;
import java.util.Set;

/**
 * A driver, found through {@link java.util.ServiceLoader} by the scheme of a URL. Register an
 * implementation in {@code META-INF/services/io.cloudportal.spi.PortalDriver}.
 */
public interface PortalDriver {

    /**
     * A short name, e.g. {@code zookeeper}; shown in messages and reports.
     *
     * @return the name
     */
    String name();

    /**
     * The URL schemes this driver serves, lower-case.
     *
     * @return the schemes
     */
    Set<String> schemes();

    /**
     * The Maven artifact that holds this driver, named in "no driver" and "unsupported" messages.
     *
     * @return e.g. {@code io.cloudportal:portal-zookeeper}
     */
    String artifact();

    /**
     * What the driver provides.
     *
     * @return its facilities and guarantees
     */
    Capabilities capabilities();

    /**
     * The option names this driver accepts, besides the common ones (such as {@code operationTimeout}).
     * Any other option is rejected before connecting. A name ending in {@code *} admits every
     * option that starts with what precedes it, for settings passed through to the native client
     * (e.g. {@code kafka.*}).
     *
     * @return the option names
     */
    Set<String> options();

    /**
     * The backend's input rules, enforced before any I/O.
     *
     * @return the limits
     */
    Limits limits();

    /**
     * Opens a connection.
     *
     * @param context the URL, options and helpers
     * @return the open connection
     * @throws io.cloudportal.UnavailableException if the servers cannot be reached in time
     * @throws io.cloudportal.ConfigurationException if the URL or options cannot be used
     */
    DriverConnection connect(DriverContext context);
}
