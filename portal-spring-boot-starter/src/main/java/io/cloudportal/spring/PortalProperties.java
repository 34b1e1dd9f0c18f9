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

    /**
     * Whether a backend that cannot be reached at startup fails the startup (the default), or the
     * application starts anyway with that connection DOWN in its health, opens it in the background,
     * and starts its listeners, candidates and registration once it is open. A URL or option that
     * cannot be used fails the startup either way.
     */
    private boolean failFast = true;

    /** What an application's own tests change; see {@link io.cloudportal.spring.test.AutoConfigurePortalMemory}. */
    private Test test = new Test();

    /** More connections by name, each with its own {@code url} and {@code options}. */
    private Map<String, Connection> connections = new LinkedHashMap<>();

    /** Spring Cloud discovery over Portal's registry (with spring-cloud-commons on the classpath). */
    private Discovery discovery = new Discovery();

    public Discovery getDiscovery() {
        return discovery;
    }

    public void setDiscovery(Discovery discovery) {
        this.discovery = discovery;
    }

    public Test getTest() {
        return test;
    }

    public void setTest(Test test) {
        this.test = test;
    }

    public boolean isFailFast() {
        return failFast;
    }

    public void setFailFast(boolean failFast) {
        this.failFast = failFast;
    }

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

    /** For an application's own tests. */
    public static class Test {

        /**
         * The name of a memory backend every connection opens instead of its URL, without its
         * options ({@code portal.url}, each {@code portal.connections.<name>.url}, and the
         * {@code portal:} configuration import): the whole application on {@code memory://} with
         * no server. {@code @AutoConfigurePortalMemory} sets it; empty in production.
         */
        private String memory;

        public String getMemory() {
            return memory;
        }

        public void setMemory(String memory) {
            this.memory = memory;
        }
    }

    /** How this application appears in, and finds others through, the registry. */
    public static class Discovery {

        /** Whether Portal backs Spring Cloud's DiscoveryClient and ServiceRegistry; only a connection with a REGISTRY does. */
        private boolean enabled = true;

        /** The connection whose registry is used; empty for the primary one. */
        private String connection = "";

        /** The host others reach this instance at; by default Spring Cloud's first non-loopback address. */
        private String host;

        /** The port others reach this instance at; by default the web server's. */
        private int port;

        /** This instance's id in the registry; by default the application name and a random suffix. */
        private String instanceId;

        /** Whether others should call this instance over https. */
        private boolean secure;

        /** Metadata registered with this instance (a zone, a version...). */
        private Map<String, String> metadata = new LinkedHashMap<>();

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getConnection() {
            return connection;
        }

        public void setConnection(String connection) {
            this.connection = connection;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public int getPort() {
            return port;
        }

        public void setPort(int port) {
            this.port = port;
        }

        public String getInstanceId() {
            return instanceId;
        }

        public void setInstanceId(String instanceId) {
            this.instanceId = instanceId;
        }

        public boolean isSecure() {
            return secure;
        }

        public void setSecure(boolean secure) {
            this.secure = secure;
        }

        public Map<String, String> getMetadata() {
            return metadata;
        }

        public void setMetadata(Map<String, String> metadata) {
            this.metadata = metadata;
        }
    }

    @Override
    public String toString() {
        // URLs and option values may carry credentials: names only.
        return "PortalProperties[url " + (url == null ? "unset" : "set") + ", options=" + options.keySet()
                + ", connections=" + connections.keySet() + "]";
    }
}
