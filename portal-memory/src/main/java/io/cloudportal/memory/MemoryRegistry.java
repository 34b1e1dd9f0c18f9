package io.cloudportal.memory;

import io.cloudportal.ClosedException;
import io.cloudportal.Watch;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** The registry of a memory connection; restores its registrations after a session expiry. */
final class MemoryRegistry implements Registry {

    private final MemoryConnection connection;
    private final List<MemoryRegistration> live = new CopyOnWriteArrayList<>();

    MemoryRegistry(MemoryConnection connection) {
        this.connection = connection;
    }

    @Override
    public Registration register(ServiceInstance instance) {
        MemoryBackend backend = connection.backend();
        return backend.locked(() -> {
            backend.registry.add(instance, connection.sessionId());
            MemoryRegistration registration = new MemoryRegistration(instance);
            live.add(registration);
            return registration;
        });
    }

    @Override
    public List<ServiceInstance> lookup(String service) {
        MemoryBackend backend = connection.backend();
        return backend.locked(() -> backend.registry.lookup(service));
    }

    @Override
    public Set<String> services() {
        MemoryBackend backend = connection.backend();
        return backend.locked(backend.registry::services);
    }

    @Override
    public Watch watch(String service, RegistryListener listener) {
        MemoryBackend backend = connection.backend();
        MemoryRegistryState.Watcher watcher = backend.locked(() -> backend.registry.watch(service, listener));
        return () -> backend.locked(() -> backend.registry.unwatch(watcher));
    }

    /** Re-registers, with its latest data, every registration that is still open. Under the backend lock. */
    void restore() {
        for (MemoryRegistration registration : live) {
            connection.backend().registry.add(registration.instance, connection.sessionId());
            connection.context().observer().registrationRestored("memory", registration.instance.service());
        }
    }

    private final class MemoryRegistration implements Registration {
        private volatile ServiceInstance instance;
        private boolean closed;

        MemoryRegistration(ServiceInstance instance) {
            this.instance = instance;
        }

        @Override
        public ServiceInstance instance() {
            return instance;
        }

        @Override
        public void update(ServiceInstance updated) {
            MemoryBackend backend = connection.backend();
            backend.locked(() -> {
                if (closed) {
                    throw new ClosedException("registration " + instance.service() + "/" + instance.id() + " is closed");
                }
                instance = updated;
                backend.registry.replace(updated, connection.sessionId());
            });
        }

        @Override
        public void close() {
            MemoryBackend backend = connection.backend();
            backend.locked(() -> {
                if (!closed) {
                    closed = true;
                    live.remove(this);
                    backend.registry.remove(instance.service(), instance.id(), connection.sessionId());
                }
            });
        }
    }
}
