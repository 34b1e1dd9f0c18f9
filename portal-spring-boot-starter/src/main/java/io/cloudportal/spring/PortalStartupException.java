package io.cloudportal.spring;

/** A Portal connection could not be opened at startup; the message names the property and the rule it broke. */
public class PortalStartupException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String property;

    /**
     * @param property the property, e.g. {@code portal.url}
     * @param problem what is wrong with it, e.g. {@code is not set}
     */
    public PortalStartupException(String property, String problem) {
        this(property, problem, null);
    }

    /**
     * @param property the property, e.g. {@code portal.url}
     * @param problem what is wrong with it
     * @param cause what Portal reported
     */
    public PortalStartupException(String property, String problem, Throwable cause) {
        super(property + " " + problem, cause);
        this.property = property;
    }

    /**
     * The property whose connection failed.
     *
     * @return e.g. {@code portal.connections.events.url}
     */
    public String property() {
        return property;
    }
}
