package io.cloudportal.etcd;

import io.cloudportal.AlreadyExistsException;
import io.cloudportal.ClosedException;
import io.cloudportal.ConnectionState;
import io.cloudportal.UnavailableException;
import io.cloudportal.Watch;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Instances as JSON under {@code <root>/services/<service>/<id>}, bound to the session lease, so
 * they vanish when this connection's process does. After the lease expires the registrations are
 * put again on the new one. Lookups are served from an {@link EtcdRegistryCache}; the JSON is
 * {@link EtcdInstanceCodec}'s.
 */
final class EtcdRegistry implements Registry {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdRegistry.class);

    private final EtcdConnection connection;
    private final String root;
    private final Map<String, EtcdRegistration> registrations = new ConcurrentHashMap<>();
    private final EtcdRegistryCache cache;
    private final AutoCloseable sessionWatch;
    private long leaseGeneration;

    EtcdRegistry(EtcdConnection connection) {
        this.connection = connection;
        this.root = connection.key("services/");
        this.cache = new EtcdRegistryCache(connection, root);
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
                    .Then(Op.put(key, EtcdInstanceCodec.encode(instance), PutOption.builder().withLeaseId(lease.id()).build()))
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
            if (e instanceof UnavailableException) {
                takeBack(instance);
            }
            throw e;
        }
    }

    /**
     * Deletes what a registration that failed without an answer may have written: etcd can apply
     * the put after the call gave up (a server paused while the request sat in its socket), and the
     * instance would then live as long as the session's lease, held by nobody. Done at once (it
     * reaches the server behind the put) and once more after the operation timeout, each deleting
     * the key only if this session's lease holds it and no registration of the id was made since;
     * a try that itself fails (the server still frozen) is tried again, up to {@value #TAKE_BACK_TRIES} times.
     */
    private void takeBack(ServiceInstance instance) {
        long lease = connection.session().lease().id();
        takeBack(instance, lease, TAKE_BACK_TRIES);
        connection.schedule(() -> takeBack(instance, lease, TAKE_BACK_TRIES), connection.timeout().toMillis());
    }

    private static final int TAKE_BACK_TRIES = 10;

    private void takeBack(ServiceInstance instance, long lease, int triesLeft) {
        String id = instance.service() + "/" + instance.id();
        if (registrations.containsKey(id) || connection.session().lease().id() != lease) {
            // Registered again since, or the lease is gone (and the key with it).
            return;
        }
        ByteSequence key = key(instance);
        connection.client().getKVClient().get(key).thenCompose(found -> {
            List<KeyValue> kvs = found.getKvs();
            if (kvs.isEmpty() || kvs.get(0).getLease() != lease) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
            // Deleted only as read: a registration of the id made meanwhile writes a new revision.
            return connection.client().getKVClient().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(kvs.get(0).getModRevision())))
                    .Then(Op.delete(key, io.etcd.jetcd.options.DeleteOption.DEFAULT))
                    .commit();
        }).whenComplete((done, error) -> {
            if (error != null) {
                LOG.debug("Taking back the failed registration of {} ({} tries left): {}", id, triesLeft - 1, error.toString());
                if (triesLeft > 1) {
                    connection.schedule(() -> takeBack(instance, lease, triesLeft - 1), connection.timeout().toMillis());
                }
            }
        });
    }

    @Override
    public List<ServiceInstance> lookup(String service) {
        return cache.lookup(service);
    }

    @Override
    public Set<String> services() {
        return cache.services();
    }

    @Override
    public Watch watch(String service, RegistryListener listener) {
        return cache.watch(service, listener);
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
        cache.close();
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
                    .put(key(now), EtcdInstanceCodec.encode(now), PutOption.builder().withLeaseId(connection.session().lease().id()).build()));
        }

        void putInBackground() {
            ServiceInstance now = instance;
            EtcdSession.Lease lease = connection.session().lease();
            connection.client().getKVClient()
                    .put(key(now), EtcdInstanceCodec.encode(now), PutOption.builder().withLeaseId(lease.id()).build())
                    .whenComplete((response, error) -> {
                        if (closed) {
                            connection.client().getKVClient().delete(key(now));
                        } else if (error != null) {
                            LOG.warn("Re-registering {}/{} failed; trying again", now.service(), now.id(), error);
                            connection.schedule(this::putInBackground, 500);
                        } else if (!connection.session().lease().equals(lease)) {
                            putInBackground();
                        } else {
                            connection.observer().registrationRestored("etcd", now.service());
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
