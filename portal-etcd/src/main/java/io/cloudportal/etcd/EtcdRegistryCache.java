package io.cloudportal.etcd;

import io.cloudportal.Watch;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The registry's view of every instance under {@code <root>/services/}: primed on first use by
 * one read of the prefix, then kept current by one watch from the revision after it, so a lookup
 * is served locally and a listener hears each change of its service.
 */
final class EtcdRegistryCache {

    private final EtcdConnection connection;
    private final String root;
    private final Map<String, List<RegistryListener>> listeners = new ConcurrentHashMap<>();
    /** service → id → instance, as of the last event applied. */
    private final Map<String, TreeMap<String, ServiceInstance>> cache = new TreeMap<>();
    private EtcdWatcher watcher;

    EtcdRegistryCache(EtcdConnection connection, String root) {
        this.connection = connection;
        this.root = root;
    }

    List<ServiceInstance> lookup(String service) {
        primed();
        synchronized (cache) {
            TreeMap<String, ServiceInstance> instances = cache.get(service);
            return instances == null ? List.of() : List.copyOf(instances.values());
        }
    }

    Set<String> services() {
        primed();
        synchronized (cache) {
            return new TreeSet<>(cache.keySet());
        }
    }

    Watch watch(String service, RegistryListener listener) {
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
                                            public void events(List<WatchEvent> events) {
                            applied(events);
                        }

                                            public void resync(List<KeyValue> listing, long revision) {
                            Set<String> before;
                            synchronized (cache) {
                                before = new TreeSet<>(cache.keySet());
                                replaceAll(listing);
                                before.addAll(cache.keySet());
                            }
                            before.forEach(EtcdRegistryCache.this::notifyListeners);
                        }
                    });
        }
    }

    private void replaceAll(List<KeyValue> listing) {
        cache.clear();
        for (KeyValue kv : listing) {
            ServiceInstance instance = EtcdInstanceCodec.decode(kv);
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
                    ServiceInstance instance = EtcdInstanceCodec.decode(event.getKeyValue());
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

    void close() {
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
}
