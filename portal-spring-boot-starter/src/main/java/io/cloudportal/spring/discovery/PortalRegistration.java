package io.cloudportal.spring.discovery;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.serviceregistry.Registration;

/**
 * This application's entry in Portal's registry, as Spring Cloud sees it. The port is learnt from
 * the web server when it starts, unless {@code portal.discovery.port} sets it.
 */
public final class PortalRegistration implements Registration {

    /** The metadata key holding a Spring Cloud status (UP, OUT_OF_SERVICE...); an instance without it is UP. */
    public static final String STATUS = "status";

    private final String serviceId;
    private final String instanceId;
    private final String host;
    private final boolean secure;
    private final Map<String, String> metadata;
    private volatile int port;

    /**
     * @param serviceId the service, e.g. {@code spring.application.name}
     * @param instanceId this instance's id
     * @param host where others reach it
     * @param port its port, or 0 to take the web server's
     * @param secure whether it serves https
     * @param metadata what it registers besides
     */
    public PortalRegistration(String serviceId, String instanceId, String host, int port, boolean secure, Map<String, String> metadata) {
        this.serviceId = serviceId;
        this.instanceId = instanceId;
        this.host = host;
        this.port = port;
        this.secure = secure;
        this.metadata = new LinkedHashMap<>(metadata);
    }

    @Override
    public String getInstanceId() {
        return instanceId;
    }

    @Override
    public String getServiceId() {
        return serviceId;
    }

    @Override
    public String getHost() {
        return host;
    }

    @Override
    public int getPort() {
        return port;
    }

    void setPort(int port) {
        this.port = port;
    }

    @Override
    public boolean isSecure() {
        return secure;
    }

    @Override
    public URI getUri() {
        return ServiceInstance.createUri(this);
    }

    @Override
    public Map<String, String> getMetadata() {
        return Map.copyOf(metadata);
    }

    io.cloudportal.registry.ServiceInstance toPortal(String status) {
        Map<String, String> registered = new LinkedHashMap<>(metadata);
        registered.put(STATUS, status);
        if (secure) {
            registered.put("secure", "true");
        }
        return new io.cloudportal.registry.ServiceInstance(serviceId, instanceId, host, port, registered);
    }

    @Override
    public String toString() {
        return "PortalRegistration[" + serviceId + "/" + instanceId + " " + host + ":" + port + "]";
    }
}
