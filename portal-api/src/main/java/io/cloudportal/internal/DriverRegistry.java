package io.cloudportal.internal;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Facility;
import io.cloudportal.spi.PortalDriver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.WeakHashMap;
import java.util.stream.Collectors;

/**
 * The drivers one class loader sees, found once through {@link ServiceLoader} (as SLF4J finds
 * its providers) and kept for as long as that class loader lives; or a registry a test builds by
 * hand with {@link #of(PortalDriver...)}. What each facility's providers are is computed from the
 * drivers loaded, each named with the artifact that brings it.
 */
final class DriverRegistry {

    /**
     * Portal's own schemes and the artifact of each: the one thing no loaded driver can say, since
     * it is needed exactly when the driver is missing.
     */
    private static final Map<String, String> PORTAL_SCHEMES = Map.of(
            "memory", "io.cloudportal:portal-memory",
            "zookeeper", "io.cloudportal:portal-zookeeper",
            "etcd", "io.cloudportal:portal-etcd",
            "kafka", "io.cloudportal:portal-kafka",
            "rocketmq", "io.cloudportal:portal-rocketmq",
            "amqp", "io.cloudportal:portal-rabbitmq",
            "amqps", "io.cloudportal:portal-rabbitmq",
            "zeromq", "io.cloudportal:portal-zeromq",
            "zeromq+inproc", "io.cloudportal:portal-zeromq");

    /** The names of Portal's own drivers, which qualify options meant for one driver only ({@code zookeeper.sessionTimeout}). */
    static final Set<String> PORTAL_DRIVER_NAMES = Set.of("memory", "zookeeper", "etcd", "kafka", "rocketmq", "rabbitmq", "zeromq");

    private static final Map<ClassLoader, DriverRegistry> LOADED = Collections.synchronizedMap(new WeakHashMap<>());

    private final Map<String, List<PortalDriver>> byScheme = new LinkedHashMap<>();
    private final Map<String, PortalDriver> byName = new LinkedHashMap<>();

    private DriverRegistry(Iterable<PortalDriver> drivers) {
        for (PortalDriver driver : drivers) {
            byName.putIfAbsent(driver.name(), driver);
            for (String scheme : driver.schemes()) {
                byScheme.computeIfAbsent(scheme, s -> new ArrayList<>()).add(driver);
            }
        }
    }

    /**
     * A registry of exactly these drivers.
     *
     * @param drivers the drivers
     * @return the registry
     */
    static DriverRegistry of(PortalDriver... drivers) {
        return new DriverRegistry(List.of(drivers));
    }

    /** The drivers the calling thread's class loader (and Portal's own) see, loaded on first use. */
    static DriverRegistry current() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        ClassLoader key = context != null ? context : DriverRegistry.class.getClassLoader();
        return LOADED.computeIfAbsent(key, DriverRegistry::load);
    }

    private static DriverRegistry load(ClassLoader context) {
        Map<Class<?>, PortalDriver> distinct = new LinkedHashMap<>();
        for (ClassLoader loader : new ClassLoader[] {context, DriverRegistry.class.getClassLoader()}) {
            if (loader == null) {
                continue;
            }
            for (PortalDriver driver : ServiceLoader.load(PortalDriver.class, loader)) {
                distinct.putIfAbsent(driver.getClass(), driver);
            }
        }
        return new DriverRegistry(distinct.values());
    }

    /** The drivers by name. */
    Map<String, PortalDriver> byName() {
        return Collections.unmodifiableMap(byName);
    }

    PortalDriver forScheme(String scheme) {
        List<PortalDriver> candidates = byScheme.getOrDefault(scheme, List.of());
        if (candidates.size() > 1) {
            throw new ConfigurationException("several drivers serve scheme '" + scheme + "': "
                    + candidates.stream().map(d -> d.getClass().getName() + " (" + d.artifact() + ")").collect(Collectors.joining(", "))
                    + "; keep exactly one of them on the classpath");
        }
        if (candidates.isEmpty()) {
            String hint = PORTAL_SCHEMES.containsKey(scheme)
                    ? "add the dependency " + PORTAL_SCHEMES.get(scheme)
                    : "known schemes are " + new TreeMap<>(PORTAL_SCHEMES).keySet();
            throw new ConfigurationException("no driver on the classpath serves scheme '" + scheme + "': " + hint
                    + (byScheme.isEmpty() ? "" : " (found drivers for " + byScheme.keySet() + ")"));
        }
        return candidates.get(0);
    }

    /** The loaded drivers that provide a facility, each with its artifact, for "unsupported" messages. */
    String providersOf(Facility facility) {
        List<String> providers = byName.values().stream().filter(driver -> driver.capabilities().provides(facility))
                .map(driver -> driver.name() + " (" + driver.artifact() + ")").toList();
        return providers.isEmpty() ? "none on this classpath (the README's module table lists Portal's drivers and what each provides)"
                : String.join(", ", providers);
    }
}
