package io.cloudportal.zookeeper;

import io.cloudportal.AlreadyExistsException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.cloudportal.Watch;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import io.cloudportal.spi.Deadline;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry on curator-x-discovery: ephemeral nodes at {@code <registryPath>/<service>/<id>}
 * holding Curator's JSON. Curator's {@code ServiceDiscovery} re-registers every open
 * registration, with its latest data, after a reconnect or a new session, deleting a node left
 * by the old session first. Lookups are served from a {@code ServiceCache} per service.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
final class ZooKeeperRegistry implements Registry {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperRegistry.class);

    private final ZooKeeperConnection connection;
    private final String basePath;
    /** One ServiceDiscovery per service: Curator keys its registrations by id alone, and ids need only be unique within a service. */
    private final Map<String, ServiceDiscovery<Map>> discoveries = new ConcurrentHashMap<>();
    private final Map<String, ServiceCache<Map>> caches = new ConcurrentHashMap<>();
    /** The watchers of each service; they follow the service's cache when it is rebuilt. */
    private final Map<String, List<RegistryListener>> listeners = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.ExecutorService rebuilds;
    /** Set when the session expired: its ephemeral registrations went with it. Written on Curator's state thread only. */
    private volatile boolean sessionEnded;

    ZooKeeperRegistry(ZooKeeperConnection connection) {
        this.connection = connection;
        this.basePath = "/" + connection.settings().registryPath();
        this.rebuilds = java.util.concurrent.Executors.newSingleThreadExecutor(connection.context().threadFactory("registry"));
        // A cache that lived through a reconnect can miss what changed while its watch was being
        // re-established (seen under load after a server restart). A cache built after the
        // reconnect reads everything and watches from then on, so it cannot miss anything.
        connection.onState(state -> {
            if (state == io.cloudportal.ConnectionState.EXPIRED) {
                sessionEnded = true;
            } else if (state == io.cloudportal.ConnectionState.RECONNECTED) {
                boolean newSession = sessionEnded;
                sessionEnded = false;
                try {
                    rebuilds.execute(() -> {
                        rebuildCaches();
                        if (newSession) {
                            reportRestored();
                        }
                    });
                } catch (java.util.concurrent.RejectedExecutionException closed) {
                    // the registry is closing
                }
            }
        });
    }

    /**
     * Curator's discovery puts every registration back on a new session by itself, on its own
     * thread; this reports each one once the server has it under this session, waiting at most
     * the operation timeout for each.
     */
    private void reportRestored() {
        for (String key : new ArrayList<>(registered)) {
            String path = basePath + "/" + key;
            Deadline deadline = Deadline.after(connection.context().operationTimeout());
            try {
                while (registered.contains(key)) {
                    Stat stat = connection.client().checkExists().forPath(path);
                    if (stat != null && stat.getEphemeralOwner() == connection.client().getZookeeperClient().getZooKeeper().getSessionId()) {
                        connection.context().observer().registrationRestored("zookeeper", key.substring(0, key.indexOf('/')));
                        break;
                    }
                    if (deadline.passed()) {
                        LOG.warn("{} is not back on the new ZooKeeper session after {}; Curator keeps re-registering it", path,
                                connection.context().operationTimeout());
                        break;
                    }
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                LOG.debug("Checking that {} is back on the new session failed", path, e);
            }
        }
    }

    private boolean metadataPayload() {
        return connection.settings().metadataPayload();
    }

    private void rebuildCaches() {
        for (String service : new ArrayList<>(caches.keySet())) {
            try {
                ServiceCache<Map> fresh = startCache(service);
                ServiceCache<Map> old = caches.put(service, fresh);
                if (old != null) {
                    org.apache.curator.utils.CloseableUtils.closeQuietly(old);
                }
                List<ServiceInstance> now = instances(fresh);
                listeners.getOrDefault(service, List.of()).forEach(listener -> listener.instancesChanged(service, now));
            } catch (RuntimeException e) {
                LOG.warn("Rebuilding the cache of service '{}' after a reconnect failed; it keeps the old one", service, e);
            }
        }
    }

    private ServiceDiscovery<Map> discovery(String service) {
        ServiceDiscovery<Map> existing = discoveries.get(service);
        if (existing != null) {
            return existing;
        }
        synchronized (discoveries) {
            return discoveries.computeIfAbsent(service, s -> {
                ServiceDiscovery<Map> discovery = ServiceDiscoveryBuilder.builder(Map.class)
                        .client(connection.client())
                        .basePath(basePath)
                        .serializer(new InstanceCodec())
                        .watchInstances(false)
                        .build();
                try {
                    discovery.start();
                } catch (Exception e) {
                    throw ZooKeeperErrors.map("starting service discovery under " + basePath, e);
                }
                return discovery;
            });
        }
    }

    @Override
    public Registration register(ServiceInstance instance) {
        String key = instance.service() + "/" + instance.id();
        org.apache.curator.x.discovery.ServiceInstance<Map> curatorForm = InstanceCodec.toCurator(instance, metadataPayload());
        if (!registered.add(key)) {
            throw new AlreadyExistsException("instance '" + instance.id() + "' of service '" + instance.service()
                    + "' is registered by this connection already; close that registration first");
        }
        try {
            connection.bounded("registering " + key, () -> {
                String path = basePath + "/" + instance.service() + "/" + instance.id();
                Stat existing = connection.client().checkExists().forPath(path);
                long ourSession = connection.client().getZookeeperClient().getZooKeeper().getSessionId();
                if (existing != null && existing.getEphemeralOwner() != ourSession) {
                    throw new AlreadyExistsException("instance '" + instance.id() + "' of service '" + instance.service()
                            + "' is registered by another ZooKeeper session; use another id");
                }
                registerRacingTheReaper(instance.service(), curatorForm);
                return null;
            });
            return new ZooKeeperRegistration(instance);
        } catch (RuntimeException e) {
            registered.remove(key);
            if (e instanceof UnavailableException) {
                forget(curatorForm);
            }
            throw e;
        }
    }

    /**
     * Takes back a registration that failed after Curator may have recorded it: Curator keeps an
     * instance it was asked to register and registers it again on every new session, so an
     * abandoned attempt would appear later as an instance nobody holds. Curator's unregister
     * forgets it at once and deletes its node with a guaranteed delete, retried in the background.
     */
    private void forget(org.apache.curator.x.discovery.ServiceInstance<Map> curatorForm) {
        ServiceDiscovery<Map> discovery = discoveries.get(curatorForm.getName());
        if (discovery == null) {
            return;
        }
        try {
            rebuilds.execute(() -> {
                try {
                    discovery.unregisterService(curatorForm);
                } catch (Exception e) {
                    LOG.debug("Taking back the failed registration of {}/{}: {}", curatorForm.getName(), curatorForm.getId(), e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the registry is closing, and its discoveries with it
        }
    }

    /**
     * The registry's folders are container nodes, which ZooKeeper deletes once they are empty. One
     * emptied by another service's last instance can go between Curator's check that it exists and
     * the create of the node beneath it (seen as NoNode for the new service's folder): try again.
     */
    private void registerRacingTheReaper(String service, org.apache.curator.x.discovery.ServiceInstance<Map> curatorForm) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                discovery(service).registerService(curatorForm);
                return;
            } catch (KeeperException.NoNodeException reaped) {
                if (attempt == 3) {
                    throw reaped;
                }
                LOG.debug("A parent of {} went while registering it (an emptied container); trying again", curatorForm.getId());
            }
        }
    }

    @Override
    public List<ServiceInstance> lookup(String service) {
        ServiceCache<Map> existing = caches.get(service);
        // A started cache answers from memory; the first lookup of a service starts one, which reads the server.
        return instances(existing != null ? existing : connection.bounded("looking up service '" + service + "'", () -> cache(service)));
    }

    private static List<ServiceInstance> instances(ServiceCache<Map> cache) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (org.apache.curator.x.discovery.ServiceInstance<Map> instance : cache.getInstances()) {
            instances.add(InstanceCodec.toPortal(instance));
        }
        instances.sort(Comparator.comparing(ServiceInstance::id));
        return List.copyOf(instances);
    }

    private ServiceCache<Map> cache(String service) {
        ServiceCache<Map> existing = caches.get(service);
        if (existing != null) {
            return existing;
        }
        synchronized (caches) {
            existing = caches.get(service);
            if (existing != null) {
                return existing;
            }
            ServiceCache<Map> cache = startCache(service);
            caches.put(service, cache);
            return cache;
        }
    }

    /** A started cache of one service whose changes go to that service's watchers. */
    private ServiceCache<Map> startCache(String service) {
        ServiceCache<Map> cache = discovery(service).serviceCacheBuilder().name(service).build();
        cache.addListener(new ServiceCacheListener() {
            @Override
            public void cacheChanged() {
                if (caches.get(service) == cache) {
                    List<ServiceInstance> now = instances(cache);
                    listeners.getOrDefault(service, List.of()).forEach(listener -> listener.instancesChanged(service, now));
                }
            }

            @Override
            public void stateChanged(CuratorFramework client, ConnectionState newState) {
                // reconnects are handled by rebuilding the cache
            }
        });
        try {
            long timeout = connection.context().operationTimeout().toMillis();
            if (!cache.startImmediate().await(timeout, TimeUnit.MILLISECONDS)) {
                org.apache.curator.utils.CloseableUtils.closeQuietly(cache);
                throw new PortalTimeoutException("the instances of service '" + service + "' were not read within "
                        + connection.context().operationTimeout() + " (option operationTimeout)");
            }
        } catch (PortalTimeoutException e) {
            throw e;
        } catch (Exception e) {
            throw ZooKeeperErrors.map("reading the instances of service '" + service + "'", e);
        }
        return cache;
    }

    @Override
    public Set<String> services() {
        return connection.bounded("listing services under " + basePath, this::servicesNow);
    }

    private Set<String> servicesNow() {
        CuratorFramework client = connection.client();
        try {
            Set<String> names = new TreeSet<>();
            for (String name : client.getChildren().forPath(basePath)) {
                Stat stat = client.checkExists().forPath(basePath + "/" + name);
                if (stat != null && stat.getNumChildren() > 0) {
                    names.add(name);
                }
            }
            return names;
        } catch (KeeperException.NoNodeException none) {
            return Set.of();
        } catch (Exception e) {
            throw ZooKeeperErrors.map("listing services under " + basePath, e);
        }
    }

    @Override
    public Watch watch(String service, RegistryListener listener) {
        ServiceCache<Map> cache = connection.bounded("watching service '" + service + "'", () -> cache(service));
        listeners.computeIfAbsent(service, s -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(listener);
        listener.instancesChanged(service, instances(cache));
        return () -> listeners.getOrDefault(service, List.of()).remove(listener);
    }

    void close() {
        rebuilds.shutdownNow();
        try {
            rebuilds.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listeners.clear();
        caches.values().forEach(org.apache.curator.utils.CloseableUtils::closeQuietly);
        caches.clear();
        discoveries.values().forEach(discovery -> {
            try {
                discovery.close();
            } catch (Exception e) {
                LOG.warn("Closing service discovery under {} failed", basePath, e);
            }
        });
        discoveries.clear();
    }

    private final class ZooKeeperRegistration implements Registration {
        private volatile ServiceInstance instance;
        private volatile boolean closed;

        ZooKeeperRegistration(ServiceInstance instance) {
            this.instance = instance;
        }

        @Override
        public ServiceInstance instance() {
            return instance;
        }

        @Override
        public void update(ServiceInstance updated) {
            if (closed) {
                throw new io.cloudportal.ClosedException("registration " + updated.service() + "/" + updated.id() + " is closed");
            }
            org.apache.curator.x.discovery.ServiceInstance<Map> curatorForm = InstanceCodec.toCurator(updated, metadataPayload());
            instance = updated;
            // Curator keeps the new data for re-registration even if this write fails.
            connection.bounded("updating " + updated.service() + "/" + updated.id(), () -> {
                discovery(updated.service()).updateService(curatorForm);
                return null;
            });
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            registered.remove(instance.service() + "/" + instance.id());
            try {
                connection.bounded("deregistering " + instance.service() + "/" + instance.id(), () -> {
                    discovery(instance.service()).unregisterService(InstanceCodec.toCurator(instance, metadataPayload()));
                    return null;
                });
            } catch (PortalException e) {
                // Curator forgot the instance (it is not re-registered) and its guaranteed delete
                // keeps retrying in the background: no phantom after a reconnect.
                LOG.warn("Deregistering {}/{} did not complete now; it is retried in the background", instance.service(),
                        instance.id(), e);
            }
        }
    }
}
