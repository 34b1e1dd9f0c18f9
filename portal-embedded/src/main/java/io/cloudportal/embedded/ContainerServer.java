package io.cloudportal.embedded;

import java.util.function.IntFunction;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A server in a Docker container, for machines that have Docker but not the server's binary.
 * Testcontainers is an optional dependency: add {@code org.testcontainers:testcontainers} to use
 * this path. A container's data lives as long as the container, so {@link #restart()} restarts
 * the container itself.
 */
public final class ContainerServer implements EmbeddedServer {

    private final String image;
    private final int port;
    private final IntFunction<String> urlForPort;
    private GenericContainer<?> container;

    /**
     * Describes a containerised server.
     *
     * @param image the Docker image, e.g. {@code quay.io/coreos/etcd:v3.5.17}
     * @param port the port the server listens on inside the container
     * @param urlForPort builds the Portal URL from the port mapped on the host
     */
    public ContainerServer(String image, int port, IntFunction<String> urlForPort) {
        this.image = image;
        this.port = port;
        this.urlForPort = urlForPort;
    }

    /**
     * Tells whether this path can work here: Testcontainers on the classpath and a Docker engine reachable.
     *
     * @return true if a container can be started
     */
    public static boolean isAvailable() {
        try {
            Class.forName("org.testcontainers.DockerClientFactory", false, ContainerServer.class.getClassLoader());
        } catch (ClassNotFoundException noTestcontainers) {
            return false;
        }
        return DockerClientFactory.instance().isDockerAvailable();
    }

    @Override
    public synchronized String url() {
        if (container == null) {
            throw new IllegalStateException("the " + image + " container is not running");
        }
        return urlForPort.apply(container.getMappedPort(port));
    }

    @Override
    public synchronized void start() {
        if (container != null && container.isRunning()) {
            throw new IllegalStateException("the " + image + " container is running already");
        }
        if (container == null) {
            container = new GenericContainer<>(DockerImageName.parse(image)).withExposedPorts(port);
            container.start();
        } else {
            container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public synchronized void stop() {
        if (container != null && container.isRunning()) {
            container.getDockerClient().stopContainerCmd(container.getContainerId()).exec();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return container != null && container.isRunning();
    }

    @Override
    public boolean canInjectFaults() {
        return true;
    }

    @Override
    public synchronized void close() {
        if (container != null) {
            container.stop();
            container = null;
        }
    }
}
