package io.cloudportal.zookeeper;

import io.cloudportal.PortalTimeoutException;
import io.cloudportal.lock.FencingToken;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.spi.AbstractHeldLock;
import io.cloudportal.spi.Deadline;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.framework.recipes.locks.StandardLockInternalsDriver;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock on Curator's {@link InterProcessMutex} at {@code /locks/<name>}, node for node what a
 * plain Curator client creates, so the two exclude each other. A fresh mutex per acquire keeps
 * Portal's locks non-reentrant and free of Curator's per-thread ownership, so any thread may
 * release. The fencing token is the lock node's czxid: creation order decides who holds next,
 * and unlike the sequence suffix it keeps increasing when ZooKeeper reaps the empty container
 * parent and a later lock starts numbering again at zero.
 *
 * <p>A semaphore is the same on Curator's {@link InterProcessSemaphoreV2} at
 * {@code /semaphores/<name>} (its {@code locks/} and {@code leases/} children), so Portal and Curator
 * clients share its permits; a permit's node is its lease node. The two sides of a read-write
 * lock are those of Curator's {@link InterProcessReadWriteLock} at {@code /rwlocks/<name>}.
 */
final class ZooKeeperLock implements Lock {

    private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperLock.class);

    private final ZooKeeperConnection connection;
    private final String name;
    /** 0 for a lock or a side of a read-write lock; a semaphore's number of permits. */
    private final int permits;
    /** For a side of a read-write lock: whether it is the write side; null otherwise. */
    private final Boolean writeSide;
    /** "lock 'name'" or "semaphore 'name'", for messages. */
    private final String what;
    /**
     * Curator's semaphore, one for all acquires through this handle: only the acquire holding its
     * internal mutex waits on it, the others wait for that mutex, each with a node of its own.
     */
    private volatile InterProcessSemaphoreV2 curatorSemaphore;

    ZooKeeperLock(ZooKeeperConnection connection, String name) {
        this(connection, name, 0, null);
    }

    private ZooKeeperLock(ZooKeeperConnection connection, String name, int permits, Boolean writeSide) {
        this.connection = connection;
        this.name = name;
        this.permits = permits;
        this.writeSide = writeSide;
        this.what = (writeSide != null ? (writeSide ? "write lock '" : "read lock '") : permits == 0 ? "lock '" : "semaphore '") + name + "'";
    }

    static ZooKeeperLock semaphore(ZooKeeperConnection connection, String name, int permits) {
        return new ZooKeeperLock(connection, name, permits, null);
    }

    static io.cloudportal.spi.ReadWriteLocks readWriteLock(ZooKeeperConnection connection, String name) {
        return new io.cloudportal.spi.ReadWriteLocks(name, new ZooKeeperLock(connection, name, 0, false),
                new ZooKeeperLock(connection, name, 0, true));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<HeldLock> tryAcquire(Duration timeout) throws InterruptedException {
        Deadline deadline = Deadline.after(timeout);
        Recipe recipe;
        try {
            // Curator validates the path here.
            recipe = writeSide != null ? new Side(writeSide) : permits == 0 ? new Mutex() : new Permit();
        } catch (RuntimeException e) {
            throw ZooKeeperErrors.map("acquiring " + what, e);
        }
        // Curator bounds only the wait in line by the timeout: creating the node goes by its retry policy and
        // connection timeout, many seconds while the server does not answer. The attempt runs on a thread of its own,
        // so the caller gets its answer by the deadline; an abandoned attempt deletes what it got.
        AtomicBoolean abandoned = new AtomicBoolean();
        Future<Boolean> attempt = connection.calls().submit(() -> {
            boolean got = recipe.acquire(timeout.toNanos());
            if (got && abandoned.get()) {
                deleteInBackground(recipe.path());
                return false;
            }
            return got;
        });
        boolean acquired;
        try {
            acquired = attempt.get(deadline.remaining().plus(Deadline.REQUEST_FLOOR).toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            abandon(attempt, abandoned, recipe);
            if (recipe.path() == null) {
                throw new PortalTimeoutException("acquiring " + what + " took longer than its timeout " + timeout
                        + ": ZooKeeper did not answer in time (the " + (permits == 0 ? "lock" : "lease") + " node was not created)", e);
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            abandon(attempt, abandoned, recipe);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw ZooKeeperErrors.map("acquiring " + what, cause instanceof Exception ex ? ex : new RuntimeException(cause));
        }
        if (!acquired) {
            return Optional.empty();
        }
        Held held = recipe.held();
        held.watchSession();
        return Optional.of(held);
    }

    /**
     * One side of Curator's read-write lock, a fresh one per acquire (as for the mutex: Curator's is
     * reentrant per thread, and lets a thread holding the write side read). Readers queue behind an
     * earlier writer's node, so a waiting writer is not starved.
     */
    private final class Side extends RecordsNoStat {
        private final boolean write;
        private final InterProcessReadWriteLock lock = new InterProcessReadWriteLock(connection.client(), "/rwlocks/" + name);

        Side(boolean write) {
            this.write = write;
        }

        @Override
        public boolean acquire(long nanos) throws Exception {
            if (write ? !lock.writeLock().acquire(nanos, TimeUnit.NANOSECONDS) : !lock.readLock().acquire(nanos, TimeUnit.NANOSECONDS)) {
                return false;
            }
            // Curator keeps the node per thread: read it on the thread that acquired.
            path = write ? lock.writeLock().getLockPath() : lock.readLock().getLockPath();
            return true;
        }
    }

    private InterProcessSemaphoreV2 curatorSemaphore() {
        InterProcessSemaphoreV2 semaphore = curatorSemaphore;
        if (semaphore == null) {
            synchronized (this) {
                semaphore = curatorSemaphore;
                if (semaphore == null) {
                    semaphore = new InterProcessSemaphoreV2(connection.client(), "/semaphores/" + name, permits);
                    curatorSemaphore = semaphore;
                }
            }
        }
        return semaphore;
    }

    /**
     * The czxid of a holding's node. A node already gone went with its session (which marks the
     * holding lost): 0, older than every holder's token, is what a fenced resource refuses.
     */
    private FencingToken readToken(String path) {
        Stat stat = connection.bounded("reading the fencing token of " + what, () -> connection.client().checkExists().forPath(path));
        return new FencingToken(stat == null ? 0 : stat.getCzxid());
    }

    /** Stops an attempt the caller no longer waits for; if it got the lock meanwhile, its node goes. */
    private void abandon(Future<Boolean> attempt, AtomicBoolean abandoned, Recipe recipe) {
        abandoned.set(true);
        if (!attempt.cancel(true)) {
            try {
                if (attempt.get()) {
                    deleteInBackground(recipe.path());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // it got nothing
            }
        }
    }

    private void deleteInBackground(String path) {
        try {
            connection.client().delete().guaranteed().inBackground().forPath(path);
        } catch (Exception e) {
            LOG.warn("Deleting the node of an abandoned attempt on {} failed; it goes with the session", what, e);
        }
    }

    /** One acquisition through a recipe of Curator's, and the node that holds once it succeeded. */
    private interface Recipe {
        /** Waits in line; true when holding. */
        boolean acquire(long nanos) throws Exception;

        /** The holding node's path, once created (also when the wait then timed out). */
        String path();

        /** The holding, once acquired. */
        Held held();
    }

    private final class Mutex implements Recipe {
        private final NodeRecordingDriver driver = new NodeRecordingDriver();
        private final InterProcessMutex mutex = new InterProcessMutex(connection.client(), "/locks/" + name, driver);

        @Override
        public boolean acquire(long nanos) throws Exception {
            return mutex.acquire(nanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public String path() {
            return driver.path;
        }

        @Override
        public Held held() {
            return new Held(driver.path, driver.czxid);
        }
    }

    /**
     * One permit of Curator's semaphore. Its lease records no stat, so the token (the lease node's
     * czxid) is read when first asked for: a request the holder pays only if it wants the token.
     */
    private final class Permit extends RecordsNoStat {
        private final String base = "/semaphores/" + name;
        private final InterProcessSemaphoreV2 semaphore = curatorSemaphore();

        @Override
        public boolean acquire(long nanos) throws Exception {
            Lease lease = semaphore.acquire(nanos, TimeUnit.NANOSECONDS);
            if (lease == null) {
                return false;
            }
            path = ZKPaths.makePath(base, "leases", lease.getNodeName());
            return true;
        }
    }

    /** A recipe that tells only the path of the node it holds: the token is read from it when asked for. */
    private abstract class RecordsNoStat implements Recipe {
        protected volatile String path;

        @Override
        public final String path() {
            return path;
        }

        @Override
        public final Held held() {
            return new Held(path);
        }
    }

    /** Creates the lock node as Curator's standard driver does, and remembers its path and czxid. */
    private static final class NodeRecordingDriver extends StandardLockInternalsDriver {
        volatile String path;
        volatile long czxid;
        private final Stat stat = new Stat();

        @Override
        public String createsTheLock(CuratorFramework client, String path, byte[] lockNodeBytes) throws Exception {
            String created = client.create()
                    .storingStatIn(stat)
                    .creatingParentContainersIfNeeded()
                    .withProtection()
                    .withMode(CreateMode.EPHEMERAL_SEQUENTIAL)
                    .forPath(path, lockNodeBytes == null ? new byte[0] : lockNodeBytes);
            this.path = created;
            // When a create is retried after a lost connection, Curator's protection finds the node
            // the first attempt made and fills no stat: read its czxid, or the token would be 0.
            if (stat.getCzxid() != 0) {
                this.czxid = stat.getCzxid();
            } else {
                Stat found = client.checkExists().forPath(created);
                this.czxid = found == null ? 0 : found.getCzxid();
            }
            return created;
        }
    }

    /** A held lock; a guarded write checks in the same multi that its ephemeral node still exists. */
    final class Held extends AbstractHeldLock {
        private final String path;

        Held(String path, long czxid) {
            super(name, new FencingToken(czxid), connection::sessionValidUntil);
            this.path = path;
        }

        /** A holding whose token is read from its node when first asked for. */
        Held(String path) {
            super(name, () -> readToken(path), connection::sessionValidUntil);
            this.path = path;
        }

        String path() {
            return path;
        }

        boolean belongsTo(ZooKeeperConnection other) {
            return connection == other;
        }

        void watchSession() {
            bindTo(connection.sessionState(), "ZooKeeper", "session");
            if (!connection.isConnected()) {
                markLost("the connection to ZooKeeper was lost while " + what + " was being acquired");
            }
        }

        @Override
        protected void release(boolean wasLost) {
            try {
                if (wasLost || !connection.isConnected()) {
                    // Guaranteed delete retries in the background until it succeeds or the node is
                    // gone with its session, so a lost lock leaves no orphan node behind.
                    connection.client().delete().guaranteed().inBackground().forPath(path);
                } else {
                    connection.client().delete().guaranteed().forPath(path);
                }
            } catch (org.apache.zookeeper.KeeperException.NoNodeException gone) {
                // The session that owned it expired: nothing to release.
            } catch (Exception e) {
                LOG.warn("Releasing {} failed; ZooKeeper removes its node when the session ends", what, e);
            }
        }
    }
}
