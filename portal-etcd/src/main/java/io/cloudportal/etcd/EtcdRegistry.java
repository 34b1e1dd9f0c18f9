package io.cloudportal.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudportal.AlreadyExistsException;
import io.cloudportal.ClosedException;
import io.cloudportal.ConnectionState;
import io.cloudportal.PortalException;
import io.cloudportal.Watch;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instances as JSON under {@code <root>/services/<service>/<id>}, bound to the session lease, so
 * they vanish when this connection's process does. After the lease expires the registrations are
 * put again on the new one. Lookups are served from one cache of the whole {@code services/}
 * prefix, primed by one read and kept current by one watch.
 */
final class EtcdRegistry implements Registry {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdRegistry.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EtcdConnection connection;
    private final String root;
    private final Map<String, EtcdRegistration> registrations = new ConcurrentHashMap<>();
    private final Map<String, List<RegistryListener>> listeners = new ConcurrentHashMap<>();
    /** service → id → instance, as of the last event applied. */
    private final Map<String, TreeMap<String, ServiceInstance>> cache = new TreeMap<>();
    private final AutoCloseable sessionWatch;
    private EtcdWatcher watcher;
    private long leaseGeneration;

    EtcdRegistry(EtcdConnection connection) {
        this.connection = connection;
        this.root = connection.key("services/");
        this.leaseGeneration = connection.session().lease().generation();
        this.sessionWatch = connection.session().onState(this::sessionChanged);
    }

    private ByteSequence key(ServiceInstance instance) {
        return EtcdConnection.bytes(root + instance.service() + "/" + instance.id());
    }

    @Override
    public Registration register(ServiceInstance instance) {
        String id = instance.service() + "/" + instance.id();
        EtcdRegistration registration = new EtcdRegistration(instance);
        if (registrations.putIfAbsent(id, registration) != null) {
            throw new AlreadyExistsException("instance '" + instance.id() + "' of service '" + instance.service()
                    + "' is registered by this connection already; close that registration first");
        }
        try {
            EtcdSession.Lease lease = connection.session().lease();
            ByteSequence key = key(instance);
            TxnResponse response = connection.await("registering " + id, connection.client().getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(key, encode(instance), PutOption.builder().withLeaseId(lease.id()).build()))
                    .Else(Op.get(key, GetOption.DEFAULT))
                    .commit());
            if (!response.isSucceeded()) {
                List<KeyValue> existing = response.getGetResponses().get(0).getKvs();
                if (!existing.isEmpty() && existing.get(0).getLease() != lease.id()) {
                    throw new AlreadyExistsException("instance '" + instance.id() + "' of service '" + instance.service()
                            + "' is registered by another etcd session (lease " + Long.toHexString(existing.get(0).getLease())
                            + "); use another id");
                }
                registration.put();
            }
            if (!connection.session().lease().equals(lease)) {
                registration.put();
            }
            return registration;
        } catch (RuntimeException e) {
            registrations.remove(id, registration);
            throw e;
        }
    }

    @Override
    public List<ServiceInstance> lookup(String service) {
        primed();
        synchronized (cache) {
            TreeMap<String, ServiceInstance> instances = cache.get(service);
            return instances == null ? List.of() : List.copyOf(instances.values());
        }
    }

    @Override
    public Set<String> services() {
        primed();
        synchronized (cache) {
            return new TreeSet<>(cache.keySet());
        }
    }

    @Override
    public Watch watch(String service, RegistryListener listener) {
        primed();
        listeners.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(listener);
        listener.instancesChanged(service, lookup(service));
        return () -> listeners.getOrDefault(service, List.of()).remove(listener);
    }

    /** Starts the cache on first use: one read of the prefix, then a watch from the revision after it. */
    private void primed() {
        synchronized (cache) {
            if (watcher != null) {
                return;
            }
            GetResponse listing = connection.await("reading the registry", connection.client().getKVClient()
                    .get(EtcdConnection.bytes(root), GetOption.builder().isPrefix(true).build()));
            replaceAll(listing.getKvs());
            watcher = EtcdWatcher.start(connection, EtcdConnection.bytes(root), listing.getHeader().getRevision() + 1,
                    new EtcdWatcher.Sink() {
                        @Override
                        public void events(List<WatchEvent> events) {
                            applied(events);
                        }

                        @Override
                        public void resync(List<KeyValue> listing, long revision) {
                            Set<String> before;
                            synchronized (cache) {
                                before = new TreeSet<>(cache.keySet());
                                replaceAll(listing);
                                before.addAll(cache.keySet());
                            }
                            before.forEach(EtcdRegistry.this::notifyListeners);
                        }
                    });
        }
    }

    private void replaceAll(List<KeyValue> listing) {
        cache.clear();
        for (KeyValue kv : listing) {
            ServiceInstance instance = decode(kv);
            if (instance != null) {
                cache.computeIfAbsent(instance.service(), s -> new TreeMap<>()).put(instance.id(), instance);
            }
        }
    }

    private void applied(List<WatchEvent> events) {
        Set<String> changed = new TreeSet<>();
        synchronized (cache) {
            for (WatchEvent event : events) {
                String path = event.getKeyValue().getKey().toString(StandardCharsets.UTF_8).substring(root.length());
                int slash = path.indexOf('/');
                if (slash <= 0) {
                    continue;
                }
                String service = path.substring(0, slash);
                String id = path.substring(slash + 1);
                if (event.getEventType() == WatchEvent.EventType.DELETE) {
                    TreeMap<String, ServiceInstance> instances = cache.get(service);
                    if (instances != null && instances.remove(id) != null) {
                        if (instances.isEmpty()) {
                            cache.remove(service);
                        }
                        changed.add(service);
                    }
                } else if (event.getEventType() == WatchEvent.EventType.PUT) {
                    ServiceInstance instance = decode(event.getKeyValue());
                    if (instance != null) {
                        cache.computeIfAbsent(service, s -> new TreeMap<>()).put(id, instance);
                        changed.add(service);
                    }
                }
            }
        }
        changed.forEach(this::notifyListeners);
    }

    private void notifyListeners(String service) {
        List<RegistryListener> watching = listeners.get(service);
        if (watching != null && !watching.isEmpty()) {
            List<ServiceInstance> now = lookup(service);
            watching.forEach(listener -> listener.instancesChanged(service, now));
        }
    }

    /** On a new lease (the old one expired) every registration goes back, with its latest data. */
    private void sessionChanged(ConnectionState state) {
        if (state != ConnectionState.RECONNECTED) {
            return;
        }
        long generation = connection.session().lease().generation();
        synchronized (this) {
            if (generation == leaseGeneration) {
                return;
            }
            leaseGeneration = generation;
        }
        registrations.values().forEach(EtcdRegistration::putInBackground);
    }

    void close() {
        try {
            sessionWatch.close();
        } catch (Exception e) {
            LOG.debug("Removing the registry's session watch failed", e);
        }
        EtcdWatcher running;
        synchronized (cache) {
            running = watcher;
        }
        // Closed outside the cache's lock: a delivery holds the watcher's lock and waits for the cache's.
        if (running != null) {
            running.close();
        }
        listeners.clear();
    }

    private static ByteSequence encode(ServiceInstance instance) {
        ObjectNode node = JSON.createObjectNode()
                .put("service", instance.service())
                .put("id", instance.id())
                .put("host", instance.host())
                .put("port", instance.port());
        ObjectNode metadata = node.putObject("metadata");
        instance.metadata().forEach(metadata::put);
        try {
            return ByteSequence.from(JSON.writeValueAsBytes(node));
        } catch (JsonProcessingException e) {
            throw new PortalException("cannot write instance " + instance.service() + "/" + instance.id() + " as JSON", e);
        }
    }

    /** Reads an instance; a value that is not Portal's JSON is skipped (with a debug line), never fatal to the cache. */
    private static ServiceInstance decode(KeyValue kv) {
        try {
            JsonNode node = JSON.readTree(kv.getValue().getBytes());
            Map<String, String> metadata = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.path("metadata").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                metadata.put(field.getKey(), field.getValue().asText());
            }
            return new ServiceInstance(node.path("service").asText(), node.path("id").asText(), node.path("host").asText(),
                    node.path("port").asInt(), metadata);
        } catch (Exception e) {
            LOG.debug("Skipping {}: not an instance Portal can read ({})", kv.getKey(), e.toString());
            return null;
        }
    }

    private final class EtcdRegistration implements Registration {
        private volatile ServiceInstance instance;
        private volatile boolean closed;

        EtcdRegistration(ServiceInstance instance) {
            this.instance = instance;
        }

        @Override
        public ServiceInstance instance() {
            return instance;
        }

        /** Writes the instance on the current lease. */
        void put() {
            ServiceInstance now = instance;
            connection.await("registering " + now.service() + "/" + now.id(), connection.client().getKVClient()
                    .put(key(now), encode(now), PutOption.builder().withLeaseId(connection.session().lease().id()).build()));
        }

        void putInBackground() {
            ServiceInstance now = instance;
            EtcdSession.Lease lease = connection.session().lease();
            connection.client().getKVClient()
                    .put(key(now), encode(now), PutOption.builder().withLeaseId(lease.id()).build())
                    .whenComplete((response, error) -> {
                        if (closed) {
                            connection.client().getKVClient().delete(key(now));
                        } else if (error != null) {
                            LOG.warn("Re-registering {}/{} failed; trying again", now.service(), now.id(), error);
                            connection.schedule(this::putInBackground, 500);
                        } else if (!connection.session().lease().equals(lease)) {
                            putInBackground();
                        }
                    });
        }

        @Override
        public void update(ServiceInstance updated) {
            if (closed) {
                throw new ClosedException("registration " + updated.service() + "/" + updated.id() + " is closed");
            }
            instance = updated;
            put();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            registrations.remove(instance.service() + "/" + instance.id(), this);
            try {
                connection.await("deregistering " + instance.service() + "/" + instance.id(),
                        connection.client().getKVClient().delete(key(instance)));
            } catch (RuntimeException e) {
                LOG.warn("Deregistering {}/{} failed; etcd removes it when the lease ends", instance.service(), instance.id(), e);
            }
        }
    }
}
