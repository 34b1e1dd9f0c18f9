package io.cloudportal.internal;

import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Watch;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.RegistryListener;
import io.cloudportal.registry.ServiceInstance;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.Rules;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/** Validates registry calls before the driver sees them and tracks registrations. */
final class PortableRegistry implements Registry {

    private static final int MAX_HOST_LENGTH = 253;

    private final DefaultPortal portal;
    private final Registry driver;

    PortableRegistry(DefaultPortal portal, Registry driver) {
        this.portal = portal;
        this.driver = driver;
    }

    @Override
    public Registration register(ServiceInstance instance) {
        portal.ensureOpen("register()");
        check(instance, portal.limits());
        return portal.track(new PortableRegistration(portal, DriverCalls.guard(portal, "register()", () -> driver.register(instance))));
    }

    @Override
    public List<ServiceInstance> lookup(String service) {
        portal.ensureOpen("lookup()");
        Rules.characters("service name", Rules.name("service name", service, portal.limits().maxNameLength()), portal.limits());
        return DriverCalls.guard(portal, "lookup()", () -> driver.lookup(service));
    }

    @Override
    public Set<String> services() {
        portal.ensureOpen("services()");
        return driver.services();
    }

    @Override
    public Watch watch(String service, RegistryListener listener) {
        portal.ensureOpen("watch()");
        Rules.characters("service name", Rules.name("service name", service, portal.limits().maxNameLength()), portal.limits());
        Rules.notNull("listener", listener);
        Executor lane = portal.lane("registry listener of '" + service + "'");
        Watch watch = driver.watch(service, (s, instances) -> lane.execute(() -> listener.instancesChanged(s, instances)));
        return portal.track(new OnceWatch(portal, watch::close));
    }

    static void check(ServiceInstance instance, Limits limits) {
        Rules.notNull("instance", instance);
        Rules.characters("service name", Rules.name("service name", instance.service(), limits.maxNameLength()), limits);
        Rules.characters("instance id", Rules.name("instance id", instance.id(), limits.maxNameLength()), limits);
        Rules.text("host", instance.host(), MAX_HOST_LENGTH);
        Rules.range("port", instance.port(), 1, 65535);
        Rules.attributes("metadata entry", instance.metadata(), limits.maxHeadersBytes());
    }

    private static final class PortableRegistration implements Registration {
        private final DefaultPortal portal;
        private final Registration driver;
        private final AtomicBoolean closed = new AtomicBoolean();

        PortableRegistration(DefaultPortal portal, Registration driver) {
            this.portal = portal;
            this.driver = driver;
        }

        @Override
        public ServiceInstance instance() {
            return driver.instance();
        }

        @Override
        public void update(ServiceInstance updated) {
            portal.ensureOpen("update()");
            if (closed.get()) {
                throw new io.cloudportal.ClosedException("cannot update registration " + driver.instance().id() + ": it was closed");
            }
            check(updated, portal.limits());
            ServiceInstance current = driver.instance();
            if (!updated.service().equals(current.service()) || !updated.id().equals(current.id())) {
                throw new InvalidArgumentException("update of registration " + current.service() + "/" + current.id()
                        + " names " + updated.service() + "/" + updated.id() + ": service and id must stay the same");
            }
            driver.update(updated);
        }

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) {
                portal.forget(this);
                driver.close();
            }
        }

        @Override
        public String toString() {
            return "Registration[" + driver.instance().service() + "/" + driver.instance().id() + "]";
        }
    }
}
