package io.cloudportal.zookeeper;

import io.cloudportal.ConflictException;
import io.cloudportal.spi.CounterCell;
import java.nio.ByteBuffer;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;

/**
 * A counter as one node at {@code /counters/<name>} holding the value as 8 bytes, big-endian: the
 * layout of Curator's {@code DistributedAtomicLong}, so Curator clients and Portal count together.
 * The version is the node's data version plus one (0: no node yet). A swap's {@code setData} goes to
 * the server once, on ZooKeeper's own handle: Curator's retry of a lost answer would re-send a write
 * that may have been applied.
 */
final class ZooKeeperCounter implements CounterCell {

    static final String BASE = "/counters";

    private final ZooKeeperConnection connection;
    private final String name;
    private final String path;

    ZooKeeperCounter(ZooKeeperConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.path = ZKPaths.makePath(BASE, name);
    }

    private CuratorFramework client() {
        return connection.client();
    }

    @Override
    public Reading read() {
        return connection.bounded("reading counter '" + name + "'", () -> {
            try {
                Stat stat = new Stat();
                byte[] bytes = client().getData().storingStatIn(stat).forPath(path);
                return new Reading(decode(bytes), stat.getVersion() + 1L);
            } catch (KeeperException.NoNodeException absent) {
                return new Reading(0, 0);
            } catch (Exception e) {
                throw ZooKeeperErrors.map("reading counter '" + name + "'", e);
            }
        });
    }

    @Override
    public Optional<Reading> swap(long version, long value) {
        boolean written = connection.bounded("updating counter '" + name + "'", () -> {
            byte[] bytes = encode(value);
            try {
                if (version == 0 && !createdAtZero()) {
                    return false;
                }
                ZooKeeper zooKeeper = client().getZookeeperClient().getZooKeeper();
                zooKeeper.setData(ZKPaths.fixForNamespace(client().getNamespace(), path), bytes, version == 0 ? 0 : (int) (version - 1));
                return true;
            } catch (KeeperException.BadVersionException | KeeperException.NoNodeException moved) {
                return false;
            } catch (Exception e) {
                throw ZooKeeperErrors.map("updating counter '" + name + "'", e);
            }
        });
        // ZooKeeper says only that the version moved: the portable layer reads.
        return written ? Optional.empty() : Optional.of(MOVED);
    }

    /**
     * Creates the node holding 0, through Curator (its ACLs, parents, retries: creating 0 twice
     * changes nothing), so the update that follows is a versioned set like any other. False if
     * another client created it first, possibly with a value of its own (Curator creates with it).
     */
    private boolean createdAtZero() throws Exception {
        try {
            client().create().creatingParentsIfNeeded().forPath(path, new byte[Long.BYTES]);
            return true;
        } catch (KeeperException.NodeExistsException exists) {
            return false;
        }
    }

    private long decode(byte[] bytes) {
        return decode(bytes, "counter '" + name + "' at " + path);
    }

    /** The 8-byte big-endian long of Curator's DistributedAtomicLong, which latches keep their count in too. */
    static byte[] encode(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static long decode(byte[] bytes, String what) {
        if (bytes == null || bytes.length != Long.BYTES) {
            throw new ConflictException(what + " holds " + (bytes == null ? "no data" : bytes.length + " bytes")
                    + ", not the 8-byte big-endian long that Portal and Curator's DistributedAtomicLong write");
        }
        return ByteBuffer.wrap(bytes).getLong();
    }
}
