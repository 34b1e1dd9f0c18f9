package io.cloudportal.zookeeper;

import io.cloudportal.spi.DoubleBarrierCell;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A double barrier as Curator's {@code DistributedDoubleBarrier} lays one out under
 * {@code /double-barriers/<name>}: an ephemeral child per member (a UUID) and a persistent child
 * {@code ready}, so Curator clients and Portal meet at one barrier. Revisions are zxids; the ready
 * marker's is its mzxid, so a marker left by a round nobody cleared is renewed with a versioned
 * {@code setData} instead of a delete and create that another member could slip between.
 */
final class ZooKeeperDoubleBarrier implements DoubleBarrierCell {

    static final String BASE = "/double-barriers";
    private static final String READY = "ready";

    private final ZooKeeperConnection connection;
    private final String name;
    private final String path;
    private final String readyPath;

    ZooKeeperDoubleBarrier(ZooKeeperConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.path = ZKPaths.makePath(BASE, name);
        this.readyPath = ZKPaths.makePath(path, READY);
    }

    @Override
    public long join(String member) {
        String own = ZKPaths.makePath(path, member);
        return call("entering", () -> {
            while (true) {
                Stat stat = new Stat();
                try {
                    connection.client().create().storingStatIn(stat).creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                            .forPath(own);
                    return stat.getCzxid();
                } catch (KeeperException.NodeExistsException earlierTry) {
                    // An earlier try's create landed although its answer was lost.
                    Stat existing = connection.client().checkExists().forPath(own);
                    if (existing != null) {
                        return existing.getCzxid();
                    }
                }
            }
        });
    }

    @Override
    public View read() {
        return read(null);
    }

    /** Waits with fresh watches, so a change between the caller's read and this wait is seen by comparing. */
    @Override
    public void awaitChange(View since, Duration timeout) throws InterruptedException {
        CountDownLatch changed = new CountDownLatch(1);
        if (read(event -> changed.countDown()).equals(since)) {
            changed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private View read(CuratorWatcher watcher) {
        return call("reading", () -> {
            Stat parent = new Stat();
            List<String> children;
            try {
                children = watcher == null ? connection.client().getChildren().storingStatIn(parent).forPath(path)
                        : connection.client().getChildren().storingStatIn(parent).usingWatcher(watcher).forPath(path);
            } catch (KeeperException.NoNodeException none) {
                // Nobody is in it (the container was reaped): watch for it to come back.
                if (watcher != null && connection.client().checkExists().usingWatcher(watcher).forPath(path) != null) {
                    return new View(Set.of(), -1, -1);
                }
                return new View(Set.of(), 0, 0);
            }
            Set<String> members = new HashSet<>(children);
            members.remove(READY);
            // Read after the entries (the portable layer's rule): the marker only ever outlives them.
            Stat ready = watcher == null ? connection.client().checkExists().forPath(readyPath)
                    : connection.client().checkExists().usingWatcher(watcher).forPath(readyPath);
            return new View(members, ready == null ? 0 : ready.getMzxid(), parent.getPzxid());
        });
    }

    @Override
    public long markReady(long after) {
        return call("marking ready", () -> {
            while (true) {
                Stat ready = connection.client().checkExists().forPath(readyPath);
                try {
                    if (ready == null) {
                        Stat created = new Stat();
                        connection.client().create().storingStatIn(created).creatingParentContainersIfNeeded().forPath(readyPath);
                        return created.getMzxid();
                    }
                    if (ready.getMzxid() > after) {
                        return ready.getMzxid();
                    }
                    return connection.client().setData().withVersion(ready.getVersion()).forPath(readyPath).getMzxid();
                } catch (KeeperException.NodeExistsException | KeeperException.NoNodeException | KeeperException.BadVersionException moved) {
                    // Another member marked it, or a leaver cleared it, in between: look again.
                }
            }
        });
    }

    @Override
    public void withdraw(String member) {
        call("leaving", () -> {
            try {
                connection.client().delete().forPath(ZKPaths.makePath(path, member));
            } catch (KeeperException.NoNodeException gone) {
                // Withdrawn already, or the session that held it ended.
            }
            return null;
        });
    }

    @Override
    public void clearReady(long readyRevision) {
        call("clearing", () -> {
            Stat ready = connection.client().checkExists().forPath(readyPath);
            if (ready != null && ready.getMzxid() == readyRevision) {
                try {
                    connection.client().delete().withVersion(ready.getVersion()).forPath(readyPath);
                } catch (KeeperException.NoNodeException | KeeperException.BadVersionException moved) {
                    // Another leaver cleared it, or a new round renewed it.
                }
            }
            return null;
        });
    }

    private <T> T call(String what, java.util.concurrent.Callable<T> step) {
        String operation = what + " double barrier '" + name + "'";
        return connection.bounded(operation, () -> {
            try {
                return step.call();
            } catch (Exception e) {
                throw ZooKeeperErrors.map(operation, e);
            }
        });
    }
}
