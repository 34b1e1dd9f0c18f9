package io.cloudportal.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Portal's Spring Boot properties: one connection under {@code portal.url}, or several under
 * {@code portal.connections.<name>.url}, each with the driver's options:
 *
 * <pre>
 * portal.url=zookeeper://zk1:2181,zk2:2181/shop
 * portal.options.sessionTimeout=15s
 * portal.connections.events.url=kafka://broker:9092
 * </pre>
 *
 * The environment overrides them the way Spring Boot binds it ({@code PORTAL_URL},
 * {@code PORTAL_CONNECTIONS_EVENTS_URL}), so credentials can stay out of files.
 */
@ConfigurationProperties("portal")
public class PortalProperties {

    /** The name of the connection configured by {@code portal.url}. */
    public static final String DEFAULT_CONNECTION = "default";

    /** The URL of the application's connection, e.g. {@code zookeeper://localhost:2181/app}; its scheme picks the driver. */
    private String url;

    /** The driver's options for {@code portal.url} (the driver's README section lists them), e.g. {@code sessionTimeout: 15s}. */
    private Map<String, String> options = new LinkedHashMap<>();

    /** More connections by name, each with its own {@code url} and {@code options}. */
    private Map<String, Connection> connections = new LinkedHashMap<>();

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public Map<String, String> getOptions() {
        return options;
    }

    public void setOptions(Map<String, String> options) {
        this.options = options;
    }

    public Map<String, Connection> getConnections() {
        return connections;
    }

    public void setConnections(Map<String, Connection> connections) {
        this.connections = connections;
    }

    /** One named connection. */
    public static class Connection {

        /** The connection's URL; its scheme picks the driver. */
        private String url;

        /** The driver's options for this connection. */
        private Map<String, String> options = new LinkedHashMap<>();

        public String getUrl() {
            return url;
        }

        public void setUrl(String url) {
            this.url = url;
        }

        public Map<String, String> getOptions() {
            return options;
        }

        public void setOptions(Map<String, String> options) {
            this.options = options;
        }

        @Override
        public String toString() {
            return "Connection[options=" + options.keySet() + "]";
        }
    }

    @Override
    public String toString() {
        // URLs and option values may carry credentials: names only.
        return "PortalProperties[url " + (url == null ? "unset" : "set") + ", options=" + options.keySet()
                + ", connections=" + connections.keySet() + "]";
    }
}
