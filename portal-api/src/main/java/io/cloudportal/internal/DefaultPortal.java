package io.cloudportal.internal;

import io.cloudportal.Capabilities;
import io.cloudportal.ClosedException;
import io.cloudportal.ConnectionState;
import io.cloudportal.ConnectionStateListener;
import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.Watch;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.LeaderElection;
import io.cloudportal.lock.Lock;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.registry.Registry;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.DriverPublisher;
import io.cloudportal.spi.DriverSubscriber;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import io.cloudportal.spi.Rules;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portable connection: checks every argument before the driver sees it, dispatches
 * listeners on Portal's executor, tracks what it handed out and closes it all in order.
 */
final class DefaultPortal implements Portal {

    private static final Logger LOG = LoggerFactory.getLogger(DefaultPortal.class);

    private final DriverRegistry drivers;
    private final PortalDriver driver;
    private final DriverContext context;
    private final DriverConnection connection;
    private final ListenerExecutor listeners;
    private final Resources resources = new Resources();
    private final Observers observers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Limits limits;
    /** The number of permits each semaphore name is used with here; a second number is refused. */
    private final java.util.concurrent.ConcurrentMap<String, Integer> semaphorePermits = new java.util.concurrent.ConcurrentHashMap<>();
    /** The number of members each double barrier name is used with here; a second number is refused. */
    private final java.util.concurrent.ConcurrentMap<String, Integer> doubleBarrierMembers = new java.util.concurrent.ConcurrentHashMap<>();
    /** More members than any real workflow meets with; each waiter reads every entry on each change. */
    static final int MAX_BARRIER_MEMBERS = 10_000;
    private Registry registry;
    private KvStore kvStore;
    private DriverPublisher driverPublisher;
    private RequestReplies requests;
    private PortableSubscriber internalSubscriber;
    private PortablePublisher internalPublisher;
    private DriverSubscriber driverSubscriber;
    private PortablePublisher publisher;
    private PortableSubscriber subscriber;

    DefaultPortal(DriverRegistry drivers, PortalDriver driver, DriverContext context, DriverConnection connection, Observers observers) {
        this.observers = observers;
        this.drivers = drivers;
        this.driver = driver;
        this.context = context;
        this.connection = connection;
        this.listeners = new ListenerExecutor(context.connectionId());
        this.limits = connection.limits().orElse(driver.limits());
    }

    @Override
    public String driverName() {
        return driver.name();
    }

    @Override
    public Capabilities capabilities() {
        return driver.capabilities();
    }

    @Override
    public synchronized Registry registry() {
        require(Facility.REGISTRY, "registry()");
        if (registry == null) {
            registry = new PortableRegistry(this, connection.registry());
        }
        return registry;
    }

    @Override
    public Lock lock(String name) {
        require(Facility.LOCK, "lock()");
        Rules.characters("lock name", Rules.name("lock name", name, limits().maxNameLength()), limits());
        return new PortableLock(this, connection.lock(name));
    }

    @Override
    public io.cloudportal.lock.Semaphore semaphore(String name, int permits) {
        require(Facility.SEMAPHORE, "semaphore()");
        Rules.characters("semaphore name", Rules.name("semaphore name", name, limits().maxNameLength()), limits());
        Rules.range("permits", permits, 1, io.cloudportal.lock.Semaphore.MAX_PERMITS);
        Integer before = semaphorePermits.putIfAbsent(name, permits);
        if (before != null && before != permits) {
            throw Rules.invalid("permits", Integer.toString(permits), "must be the " + before + " this connection uses for semaphore '"
                    + name + "': every client of a semaphore admits holders against its own number, so they must agree");
        }
        return new PortableSemaphore(this, connection.semaphore(name, permits), permits);
    }

    @Override
    public io.cloudportal.coordination.Counter counter(String name) {
        require(Facility.COUNTER, "counter()");
        Rules.characters("counter name", Rules.name("counter name", name, limits().maxNameLength()), limits());
        return new PortableCounter(this, name, connection.counter(name));
    }

    @Override
    public io.cloudportal.coordination.CountDownLatch countDownLatch(String name) {
        require(Facility.COUNT_DOWN_LATCH, "countDownLatch()");
        Rules.characters("latch name", Rules.name("latch name", name, limits().maxNameLength()), limits());
        return new PortableCountDownLatch(this, name, connection.countDownLatch(name));
    }

    @Override
    public io.cloudportal.coordination.Barrier barrier(String name) {
        require(Facility.BARRIER, "barrier()");
        Rules.characters("barrier name", Rules.name("barrier name", name, limits().maxNameLength()), limits());
        return new PortableBarrier(this, name, connection.barrier(name));
    }

    @Override
    public io.cloudportal.coordination.DoubleBarrier doubleBarrier(String name, int members) {
        require(Facility.BARRIER, "doubleBarrier()");
        Rules.characters("barrier name", Rules.name("barrier name", name, limits().maxNameLength()), limits());
        Rules.range("members", members, 1, MAX_BARRIER_MEMBERS);
        Integer before = doubleBarrierMembers.putIfAbsent(name, members);
        if (before != null && before != members) {
            throw Rules.invalid("members", Integer.toString(members), "must be the " + before + " this connection uses for double barrier '"
                    + name + "': every member passes once it counts that many entries, so they must agree");
        }
        return new PortableDoubleBarrier(this, name, members, connection.doubleBarrier(name));
    }

    @Override
    public io.cloudportal.lock.ReadWriteLock readWriteLock(String name) {
        require(Facility.READ_WRITE_LOCK, "readWriteLock()");
        Rules.characters("lock name", Rules.name("lock name", name, limits().maxNameLength()), limits());
        io.cloudportal.spi.ReadWriteLocks driverLock = connection.readWriteLock(name);
        return new io.cloudportal.spi.ReadWriteLocks(name, new PortableLock(this, driverLock.readLock()),
                new PortableLock(this, driverLock.writeLock()));
    }

    @Override
    public LeaderElection leaderElection(String name) {
        require(Facility.LEADER_ELECTION, "leaderElection()");
        Rules.characters("election name", Rules.name("election name", name, limits().maxNameLength()), limits());
        return new PortableLeaderElection(this, connection.leaderElection(name));
    }

    @Override
    public synchronized KvStore kvStore() {
        require(Facility.KV_STORE, "kvStore()");
        if (kvStore == null) {
            kvStore = new PortableKvStore(this, connection.kvStore());
        }
        return kvStore;
    }

    @Override
    public synchronized Publisher publisher() {
        require(Facility.PUBLISHER, "publisher()");
        // A closed handle stays closed; the connection hands out a new one (see Portal#publisher()).
        if (publisher == null || publisher.isClosed()) {
            if (driverPublisher == null) {
                driverPublisher = connection.publisher();
            }
            publisher = track(new PortablePublisher(this, driverPublisher));
        }
        return publisher;
    }

    /** The connection's requester, made with the first request. */
    synchronized RequestReplies requests() {
        if (requests == null) {
            requests = new RequestReplies(this);
        }
        return requests;
    }

    /** A subscriber of Portal's own (the requester's replies), apart from the handles users close. */
    synchronized PortableSubscriber internalSubscriber() {
        require(Facility.SUBSCRIBER, "request()");
        if (internalSubscriber == null) {
            if (driverSubscriber == null) {
                driverSubscriber = connection.subscriber();
            }
            internalSubscriber = new PortableSubscriber(this, driverSubscriber);
        }
        return internalSubscriber;
    }

    /** A publisher of Portal's own (handlers' replies), apart from the handles users close. */
    synchronized PortablePublisher internalPublisher() {
        require(Facility.PUBLISHER, "reply()");
        if (internalPublisher == null) {
            if (driverPublisher == null) {
                driverPublisher = connection.publisher();
            }
            internalPublisher = new PortablePublisher(this, driverPublisher);
        }
        return internalPublisher;
    }

    @Override
    public synchronized Subscriber subscriber() {
        require(Facility.SUBSCRIBER, "subscriber()");
        if (subscriber == null || subscriber.isClosed()) {
            if (driverSubscriber == null) {
                driverSubscriber = connection.subscriber();
            }
            subscriber = track(new PortableSubscriber(this, driverSubscriber));
        }
        return subscriber;
    }

    @Override
    public ConnectionState state() {
        return closed.get() ? ConnectionState.CLOSED : connection.sessionState().current();
    }

    @Override
    public Watch onStateChange(ConnectionStateListener listener) {
        ensureOpen("onStateChange()");
        Rules.notNull("listener", listener);
        Executor lane = lane("state listener " + listener);
        AutoCloseable registration = connection.sessionState().addListener(state -> lane.execute(() -> listener.stateChanged(state)));
        return track(new OnceWatch(this, () -> closeQuietly(registration)));
    }

    @Override
    public Watch observe(io.cloudportal.observation.PortalObserver observer) {
        ensureOpen("observe()");
        PortableSubscriber current;
        synchronized (this) {
            current = subscriber;
        }
        return observers.add(observer, driverName(), current == null ? List.of() : current.openSubscriptions());
    }

    Observers observers() {
        return observers;
    }

    /** The state of this connection's session now, for a lost lock's reason. */
    io.cloudportal.ConnectionState sessionNow() {
        return connection.sessionState().current();
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        Rules.notNull("type", type);
        if (type.isInstance(this)) {
            return Optional.of(type.cast(this));
        }
        return connection.unwrap(type);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RequestReplies requester;
        synchronized (this) {
            requester = requests;
        }
        if (requester != null) {
            requester.close();
        }
        resources.closeAll();
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.warn("Closing the {} connection {} failed", driver.name(), context.url(), e);
        }
        listeners.close();
        LOG.info("Closed {} ({})", context.connectionId(), context.url());
    }

    @Override
    public String toString() {
        return "Portal[" + context.connectionId() + " " + context.url() + (closed.get() ? ", closed" : "") + "]";
    }

    // What the portable facilities share.

    Limits limits() {
        return limits;
    }

    DriverContext context() {
        return context;
    }

    Executor lane(String description) {
        return listeners.lane(description);
    }

    <T extends AutoCloseable> T track(T resource) {
        return resources.track(resource);
    }

    void forget(AutoCloseable resource) {
        resources.forget(resource);
    }

    void ensureOpen(String operation) {
        if (closed.get()) {
            throw new ClosedException("cannot call " + operation + ": the connection " + context.connectionId() + " to "
                    + context.url() + " is closed");
        }
    }

    void requireGuarantee(io.cloudportal.Guarantee guarantee, String operation) {
        if (!driver.capabilities().gives(guarantee)) {
            throw new UnsupportedFacilityException(operation + " needs " + guarantee + ", which the " + driver.name()
                    + " driver does not give");
        }
    }

    private void require(Facility facility, String operation) {
        ensureOpen(operation);
        if (!driver.capabilities().provides(facility)) {
            throw new UnsupportedFacilityException("the " + driver.name() + " driver provides no " + facility
                    + "; drivers that do: " + drivers.providersOf(facility));
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed", closeable, e);
        }
    }
}
