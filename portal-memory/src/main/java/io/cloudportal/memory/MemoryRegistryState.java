package io.cloudportal.memory;

import io.cloudportal.AlreadyExistsException;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/** The shared registry of one backend: instances owned by sessions, like ephemeral znodes. Every method runs under the backend lock. */
final class MemoryRegistryState {

    record Owned(ServiceInstance instance, long sessionId) {
    }

    record Watcher(String service, RegistryListener listener) {
    }

    private final Map<String, TreeMap<String, Owned>> services = new HashMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

    MemoryRegistryState(MemoryBackend backend) {
    }

    void add(ServiceInstance instance, long sessionId) {
        TreeMap<String, Owned> instances = services.computeIfAbsent(instance.service(), s -> new TreeMap<>());
        if (instances.containsKey(instance.id())) {
            throw new AlreadyExistsException("instance '" + instance.id() + "' of service '" + instance.service()
                    + "' is registered already; close that registration first or use another id");
        }
        instances.put(instance.id(), new Owned(instance, sessionId));
        notify(instance.service());
    }

    void replace(ServiceInstance instance, long sessionId) {
        TreeMap<String, Owned> instances = services.get(instance.service());
        if (instances != null && instances.containsKey(instance.id())) {
            instances.put(instance.id(), new Owned(instance, sessionId));
            notify(instance.service());
        }
    }

    void remove(String service, String id, long sessionId) {
        TreeMap<String, Owned> instances = services.get(service);
        Owned owned = instances == null ? null : instances.get(id);
        // Only the owning session may remove: an instance re-registered by a newer session is not ours.
        if (owned != null && owned.sessionId == sessionId) {
            instances.remove(id);
            if (instances.isEmpty()) {
                services.remove(service);
            }
            notify(service);
        }
    }

    /** Removes every instance the session owned, as ZooKeeper removes ephemeral nodes. */
    void expire(long sessionId) {
        for (String service : new ArrayList<>(services.keySet())) {
            for (Owned owned : new ArrayList<>(services.get(service).values())) {
                remove(service, owned.instance.id(), sessionId);
            }
        }
    }

    List<ServiceInstance> lookup(String service) {
        TreeMap<String, Owned> instances = services.get(service);
        List<ServiceInstance> result = new ArrayList<>();
        if (instances != null) {
            instances.values().forEach(owned -> result.add(owned.instance));
        }
        return List.copyOf(result);
    }

    Set<String> services() {
        return new TreeSet<>(services.keySet());
    }

    Watcher watch(String service, RegistryListener listener) {
        Watcher watcher = new Watcher(service, listener);
        watchers.add(watcher);
        listener.instancesChanged(service, lookup(service));
        return watcher;
    }

    void unwatch(Watcher watcher) {
        watchers.remove(watcher);
    }

    private void notify(String service) {
        List<ServiceInstance> instances = lookup(service);
        for (Watcher watcher : watchers) {
            if (watcher.service.equals(service)) {
                watcher.listener.instancesChanged(service, instances);
            }
        }
    }
}
