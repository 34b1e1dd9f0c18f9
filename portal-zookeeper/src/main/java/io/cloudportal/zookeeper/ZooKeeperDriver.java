package io.cloudportal.zookeeper;

import io.cloudportal.Capabilities;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ZooKeeper driver, {@code zookeeper://host:port[,host:port…][/chroot]}, on Apache Curator:
 * one {@code CuratorFramework} per connection.
 *
 * <p>Options: {@code sessionTimeout} (default 15s), {@code connectionTimeout} (10s),
 * {@code retryBaseSleep} (100ms), {@code retryMaxSleep} (5s), {@code maxRetries} (5),
 * {@code user} and {@code password} (ZooKeeper digest credentials; also from the URL),
 * {@code registryPath} (where service instances live, default {@code services}, as Curator's
 * and Spring Cloud Zookeeper's service discovery expect).
 */
public final class ZooKeeperDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Facility.REGISTRY, Facility.LOCK, Facility.SEMAPHORE, Facility.READ_WRITE_LOCK, Facility.LEADER_ELECTION,
                    Facility.KV_STORE, Facility.COUNTER, Facility.COUNT_DOWN_LATCH, Facility.BARRIER),
            EnumSet.of(Guarantee.FENCING_TOKENS, Guarantee.KV_TTL, Guarantee.KV_WATCH_RESUME, Guarantee.KV_TRANSACTIONS));

    /**
     * ZooKeeper's path rules beyond the portable ones. ZooKeeper checks UTF-16 chars and refuses
     * surrogates, private-use and specials (U+D800–U+F8FF, U+FFF0–U+FFFF), so a character outside
     * the Basic Multilingual Plane (an emoji: two surrogates) is refused too; Java's pattern sees
     * code points, hence the explicit supplementary range. Values within {@code jute.maxbuffer}
     * (1 MiB by default) with room for the request around them.
     */
    static final Limits LIMITS = Limits.PORTABLE
            .withMaxValueBytes(1_000_000)
            .withNameCharacters(Pattern.compile("[^\\ud800-\\uf8ff\\ufff0-\\uffff\\x{10000}-\\x{10ffff}]*"),
                    "no characters from U+D800 to U+F8FF or U+FFF0 to U+FFFF and none beyond U+FFFF such as emoji (ZooKeeper path rules)");

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public ZooKeeperDriver() {
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("zookeeper");
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-zookeeper";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return ZooKeeperSettings.OPTIONS;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        return ZooKeeperConnection.open(ZooKeeperSettings.from(context), context);
    }
}
