package io.cloudportal.zookeeper;

import io.cloudportal.spi.LatchCell;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * A latch as the node {@code /latches/<name>} holding the count as 8 bytes, big-endian (as a
 * counter), with one child per count-down of the current round, named by its identity. A
 * count-down is one {@code multi}: the set of the count at the version read and the create of its
 * child, so a count-down asked again finds its child, and two count-downs of the last unit cannot
 * both pass. Setting a new count removes the last round's children after the set.
 */
final class ZooKeeperCountDownLatch implements LatchCell {

    static final String BASE = "/latches";

    private final ZooKeeperConnection connection;
    private final String name;
    private final String path;

    ZooKeeperCountDownLatch(ZooKeeperConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.path = ZKPaths.makePath(BASE, name);
    }

    private CuratorFramework client() {
        return connection.client();
    }

    private static byte[] encode(long count) {
        return ZooKeeperCounter.encode(count);
    }

    private long decode(byte[] bytes) {
        return ZooKeeperCounter.decode(bytes, "latch '" + name + "' at " + path);
    }

    @Override
    public long count() {
        return connection.bounded("reading latch '" + name + "'", () -> {
            try {
                return decode(client().getData().forPath(path));
            } catch (KeeperException.NoNodeException absent) {
                return 0L;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("reading latch '" + name + "'", e);
            }
        });
    }

    @Override
    public boolean trySetCount(long count) {
        return connection.bounded("setting the count of latch '" + name + "'", () -> {
            try {
                while (true) {
                    Stat stat = new Stat();
                    byte[] data;
                    try {
                        data = client().getData().storingStatIn(stat).forPath(path);
                    } catch (KeeperException.NoNodeException absent) {
                        try {
                            client().create().creatingParentsIfNeeded().forPath(path, encode(count));
                            return true;
                        } catch (KeeperException.NodeExistsException createdMeanwhile) {
                            continue;
                        }
                    }
                    if (decode(data) > 0) {
                        return false;
                    }
                    List<String> lastRound = client().getChildren().forPath(path);
                    try {
                        client().setData().withVersion(stat.getVersion()).forPath(path, encode(count));
                    } catch (KeeperException.BadVersionException | KeeperException.NoNodeException changed) {
                        continue;
                    }
                    // The last round's identities are unique and no longer counted; removing them need not be atomic.
                    for (String child : lastRound) {
                        try {
                            client().delete().forPath(ZKPaths.makePath(path, child));
                        } catch (KeeperException.NoNodeException gone) {
                            // removed by another setter
                        }
                    }
                    return true;
                }
            } catch (Exception e) {
                throw ZooKeeperErrors.map("setting the count of latch '" + name + "'", e);
            }
        });
    }

    @Override
    public CountDown countDown(String identity, boolean again) {
        String mine = ZKPaths.makePath(path, identity);
        return connection.bounded("counting down latch '" + name + "'", () -> {
            try {
                if (again && client().checkExists().forPath(mine) != null) {
                    return CountDown.APPLIED_BEFORE;
                }
                while (true) {
                    Stat stat = new Stat();
                    long count;
                    try {
                        count = decode(client().getData().storingStatIn(stat).forPath(path));
                    } catch (KeeperException.NoNodeException absent) {
                        return CountDown.AT_ZERO;
                    }
                    if (count == 0) {
                        return CountDown.AT_ZERO;
                    }
                    try {
                        client().transaction().forOperations(
                                client().transactionOp().setData().withVersion(stat.getVersion()).forPath(path, encode(count - 1)),
                                client().transactionOp().create().forPath(mine));
                        return CountDown.APPLIED;
                    } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException | KeeperException.NoNodeException moved) {
                        // Curator may have sent it again after a lost answer: the child says whether the first one applied.
                        if (client().checkExists().forPath(mine) != null) {
                            return CountDown.APPLIED_BEFORE;
                        }
                    }
                }
            } catch (Exception e) {
                throw ZooKeeperErrors.map("counting down latch '" + name + "'", e);
            }
        });
    }

    @Override
    public boolean awaitZero(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            java.util.concurrent.CountDownLatch changed = new java.util.concurrent.CountDownLatch(1);
            long count = connection.bounded("watching latch '" + name + "'", () -> {
                try {
                    return decode(client().getData().usingWatcher((org.apache.zookeeper.Watcher) event -> changed.countDown()).forPath(path));
                } catch (KeeperException.NoNodeException absent) {
                    return 0L;
                } catch (Exception e) {
                    throw ZooKeeperErrors.map("watching latch '" + name + "'", e);
                }
            });
            if (count == 0) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // A watch fires once, also when the connection is lost: either way, read again (bounded by a second, so a
            // reconnect that drops the watch costs at most that).
            changed.await(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public boolean delete() {
        return connection.bounded("deleting latch '" + name + "'", () -> {
            try {
                client().delete().deletingChildrenIfNeeded().forPath(path);
                return true;
            } catch (KeeperException.NoNodeException absent) {
                return false;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("deleting latch '" + name + "'", e);
            }
        });
    }
}
