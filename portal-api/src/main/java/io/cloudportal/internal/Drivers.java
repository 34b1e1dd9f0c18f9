package io.cloudportal.internal;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Facility;
import io.cloudportal.spi.PortalDriver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Finds drivers by URL scheme through {@link ServiceLoader}, as SLF4J finds providers. */
final class Drivers {

    /** Portal's own drivers, so a missing one can be named with the artifact that brings it. */
    private static final Map<String, String> KNOWN_ARTIFACTS = Map.of(
            "memory", "io.cloudportal:portal-memory",
            "zookeeper", "io.cloudportal:portal-zookeeper",
            "etcd", "io.cloudportal:portal-etcd",
            "kafka", "io.cloudportal:portal-kafka",
            "rocketmq", "io.cloudportal:portal-rocketmq",
            "amqp", "io.cloudportal:portal-rabbitmq",
            "amqps", "io.cloudportal:portal-rabbitmq",
            "zeromq", "io.cloudportal:portal-zeromq",
            "zeromq+inproc", "io.cloudportal:portal-zeromq");

    /** Which of Portal's own drivers provide each facility, by design. */
    private static final Map<Facility, String> KNOWN_PROVIDERS = Map.of(
            Facility.REGISTRY, "zookeeper, etcd, memory",
            Facility.LOCK, "zookeeper, etcd, memory",
            Facility.LEADER_ELECTION, "zookeeper, etcd, memory",
            Facility.KV_STORE, "zookeeper, etcd, memory",
            Facility.PUBLISHER, "kafka, rocketmq, rabbitmq (amqp), zeromq, memory",
            Facility.SUBSCRIBER, "kafka, rocketmq, rabbitmq (amqp), zeromq, memory");

    /** The names of Portal's own drivers, which qualify options meant for one driver only ({@code zookeeper.sessionTimeout}). */
    static final Set<String> PORTAL_DRIVER_NAMES = Set.of("memory", "zookeeper", "etcd", "kafka", "rocketmq", "rabbitmq", "zeromq");

    private Drivers() {
    }

    /** The drivers on the classpath, by name. */
    static Map<String, PortalDriver> byName() {
        Map<String, PortalDriver> byName = new LinkedHashMap<>();
        for (List<PortalDriver> drivers : loadByScheme().values()) {
            for (PortalDriver driver : drivers) {
                byName.putIfAbsent(driver.name(), driver);
            }
        }
        return byName;
    }

    static PortalDriver forScheme(String scheme) {
        Map<String, List<PortalDriver>> byScheme = loadByScheme();
        List<PortalDriver> candidates = byScheme.getOrDefault(scheme, List.of());
        if (candidates.size() > 1) {
            throw new ConfigurationException("several drivers serve scheme '" + scheme + "': "
                    + candidates.stream().map(d -> d.getClass().getName()).collect(Collectors.joining(", "))
                    + "; keep exactly one of them on the classpath");
        }
        if (candidates.isEmpty()) {
            String hint = KNOWN_ARTIFACTS.containsKey(scheme)
                    ? "add the dependency " + KNOWN_ARTIFACTS.get(scheme)
                    : "known schemes are " + new TreeMap<>(KNOWN_ARTIFACTS).keySet();
            throw new ConfigurationException("no driver on the classpath serves scheme '" + scheme + "': " + hint
                    + (byScheme.isEmpty() ? "" : " (found drivers for " + byScheme.keySet() + ")"));
        }
        return candidates.get(0);
    }

    static String providersOf(Facility facility) {
        List<String> onClasspath = new ArrayList<>();
        for (List<PortalDriver> drivers : loadByScheme().values()) {
            for (PortalDriver driver : drivers) {
                if (driver.capabilities().provides(facility) && !onClasspath.contains(driver.name())) {
                    onClasspath.add(driver.name());
                }
            }
        }
        return KNOWN_PROVIDERS.get(facility) + (onClasspath.isEmpty() ? "" : " (on this classpath: " + String.join(", ", onClasspath) + ")");
    }

    private static Map<String, List<PortalDriver>> loadByScheme() {
        Map<String, List<PortalDriver>> byScheme = new LinkedHashMap<>();
        Map<Class<?>, PortalDriver> distinct = new LinkedHashMap<>();
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(), Drivers.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            for (PortalDriver driver : ServiceLoader.load(PortalDriver.class, loader)) {
                distinct.putIfAbsent(driver.getClass(), driver);
            }
        }
        for (PortalDriver driver : distinct.values()) {
            for (String scheme : driver.schemes()) {
                byScheme.computeIfAbsent(scheme, s -> new ArrayList<>()).add(driver);
            }
        }
        return byScheme;
    }
}
