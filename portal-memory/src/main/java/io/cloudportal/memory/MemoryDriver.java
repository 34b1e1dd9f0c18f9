package io.cloudportal.memory;

import io.cloudportal.Capabilities;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import io.cloudportal.spi.Rules;
import java.util.EnumSet;
import java.util.Set;

/**
 * The in-process driver, {@code memory://name}: every facility with the full semantics of the
 * real drivers, for unit tests. Connections to the same name within one JVM share state; the
 * state is discarded when the last connection to the name closes.
 */
public final class MemoryDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(EnumSet.allOf(Facility.class), EnumSet.of(
            Guarantee.FENCING_TOKENS, Guarantee.KV_TTL, Guarantee.KV_WATCH_RESUME, Guarantee.KV_WATCH_VALUES, Guarantee.KV_WATCH_HISTORY, Guarantee.KV_TRANSACTIONS, Guarantee.ORDER_PER_KEY,
            Guarantee.PERSISTENCE, Guarantee.CONSUMER_GROUPS, Guarantee.BROADCAST, Guarantee.REDELIVERY,
            Guarantee.DEAD_LETTER, Guarantee.REPLAY, Guarantee.CONSUMER_LAG, Guarantee.TOPIC_AUTO_CREATE));

    /** Option: how many messages a topic keeps for groups that join later (unread messages are always kept). */
    public static final String RETAIN_MESSAGES = "retainMessages";

    static final int DEFAULT_RETAIN_MESSAGES = 100_000;

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public MemoryDriver() {
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-memory";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return Set.of(RETAIN_MESSAGES);
    }

    @Override
    public Limits limits() {
        return Limits.PORTABLE;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        if (context.url().hosts().size() != 1 || !context.url().path().isEmpty()) {
            throw new io.cloudportal.ConfigurationException("url '" + context.url() + "' is not a memory URL: write memory://name"
                    + " (one name, no path)");
        }
        String name = Rules.name("memory name", context.url().hosts().get(0), 200);
        int retain = context.options().integer(RETAIN_MESSAGES, DEFAULT_RETAIN_MESSAGES, 0, Integer.MAX_VALUE);
        return new MemoryConnection(MemoryBackend.acquire(name, retain), context);
    }
}
