package io.cloudportal.zookeeper;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooKeeper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Until when ZooKeeper keeps this connection's session at the least, on this JVM's monotonic
 * clock: the send time of the last request the server answered, plus the negotiated session
 * timeout (the server expires a session it has not heard from for that long). A small request
 * goes out every third of the timeout to learn it; the client's own pings are not visible.
 * A process paused past its session then knows on resuming, before any answer, that its locks
 * and leadership may have passed to others.
 */
final class SessionClock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionClock.class);

    private final CuratorFramework client;
    private final ScheduledExecutorService timer;
    private volatile long validUntil;

    SessionClock(CuratorFramework client, long sessionTimeoutMillis, ThreadFactory threads) {
        this.client = client;
        this.timer = Executors.newSingleThreadScheduledExecutor(threads);
        // Connected just now: the server heard from the client at the latest when the connection was made.
        this.validUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(negotiatedTimeout(sessionTimeoutMillis));
        long every = Math.max(100, sessionTimeoutMillis / 3);
        timer.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
    }

    long validUntil() {
        return validUntil;
    }

    private long negotiatedTimeout(long asked) {
        try {
            int negotiated = client.getZookeeperClient().getZooKeeper().getSessionTimeout();
            return negotiated > 0 ? negotiated : asked;
        } catch (Exception e) {
            return asked;
        }
    }

    private void probe() {
        long sent = System.nanoTime();
        try {
            ZooKeeper zooKeeper = client.getZookeeperClient().getZooKeeper();
            long session = zooKeeper.getSessionId();
            long timeout = TimeUnit.MILLISECONDS.toNanos(zooKeeper.getSessionTimeout());
            zooKeeper.exists("/", false, (rc, path, context, stat) -> {
                if (rc == KeeperException.Code.OK.intValue() && zooKeeper.getSessionId() == session && sent + timeout - validUntil > 0) {
                    validUntil = sent + timeout;
                }
            }, null);
        } catch (Exception e) {
            LOG.trace("Probing the ZooKeeper session failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
