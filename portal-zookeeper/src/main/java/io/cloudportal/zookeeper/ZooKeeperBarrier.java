package io.cloudportal.zookeeper;

import io.cloudportal.spi.BarrierCell;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.recipes.barriers.DistributedBarrier;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * A barrier as the node {@code /barriers/<name>}: Curator's {@code DistributedBarrier} layout,
 * so a Curator client's {@code setBarrier}, {@code removeBarrier} and {@code waitOnBarrier} and
 * Portal's act on one barrier. Waiting is Curator's recipe itself.
 */
final class ZooKeeperBarrier implements BarrierCell {

    static final String BASE = "/barriers";

    private final ZooKeeperConnection connection;
    private final String name;
    private final String path;

    ZooKeeperBarrier(ZooKeeperConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.path = ZKPaths.makePath(BASE, name);
    }

    @Override
    public boolean set() {
        return connection.bounded("setting barrier '" + name + "'", () -> {
            try {
                connection.client().create().creatingParentsIfNeeded().forPath(path);
                return true;
            } catch (KeeperException.NodeExistsException already) {
                return false;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("setting barrier '" + name + "'", e);
            }
        });
    }

    @Override
    public boolean remove() {
        return connection.bounded("removing barrier '" + name + "'", () -> {
            try {
                connection.client().delete().forPath(path);
                return true;
            } catch (KeeperException.NoNodeException notSet) {
                return false;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("removing barrier '" + name + "'", e);
            }
        });
    }

    @Override
    public boolean isSet() {
        return connection.bounded("reading barrier '" + name + "'", () -> {
            try {
                return connection.client().checkExists().forPath(path) != null;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("reading barrier '" + name + "'", e);
            }
        });
    }

    /** Curator's wait, which re-arms its watch on every change; not bounded by the operation timeout (it is a wait). */
    @Override
    public boolean awaitRemoved(Duration timeout) throws InterruptedException {
        try {
            return new DistributedBarrier(connection.client(), path).waitOnBarrier(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw ZooKeeperErrors.map("waiting on barrier '" + name + "'", e);
        }
    }
}
