package io.cloudportal.etcd;

import io.cloudportal.Capabilities;
import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import java.util.EnumSet;
import java.util.Set;

/**
 * The etcd driver, {@code etcd://host:port[,host:port…][/prefix]}, on jetcd: one jetcd
 * {@code Client} per connection, every key under {@code /prefix}.
 *
 * <p>Options: {@code leaseTtl} (the session lease's TTL, default 10s; registrations, locks and
 * candidacies live as long as it is renewed), {@code connectTimeout} (10s), {@code user} and
 * {@code password} (etcd authentication; also from the URL), {@code tlsCa}, {@code tlsCert},
 * {@code tlsKey} (PEM files; any of them switches the endpoints to https).
 */
public final class EtcdDriver implements PortalDriver {

    static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Facility.REGISTRY, Facility.LOCK, Facility.SEMAPHORE, Facility.READ_WRITE_LOCK, Facility.LEADER_ELECTION,
                    Facility.KV_STORE, Facility.COUNTER, Facility.COUNT_DOWN_LATCH, Facility.BARRIER),
            EnumSet.of(Guarantee.FENCING_TOKENS, Guarantee.KV_TTL, Guarantee.KV_WATCH_RESUME, Guarantee.KV_WATCH_VALUES, Guarantee.KV_WATCH_HISTORY,
                    Guarantee.KV_TRANSACTIONS));

    /**
     * etcd refuses requests over {@code --max-request-bytes}, 1.5 MiB by default; a value leaves
     * room for its key (at most 512 characters, so 2 KiB of UTF-8), the prefix and the request around it.
     */
    static final Limits LIMITS = Limits.PORTABLE.withMaxValueBytes(1536 * 1024 - 16 * 1024);

    /** Creates the driver; {@link java.util.ServiceLoader} calls this. */
    public EtcdDriver() {
    }

    @Override
    public String name() {
        return "etcd";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("etcd");
    }

    @Override
    public String artifact() {
        return "io.cloudportal:portal-etcd";
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Set<String> options() {
        return EtcdSettings.OPTIONS;
    }

    @Override
    public Limits limits() {
        return LIMITS;
    }

    @Override
    public DriverConnection connect(DriverContext context) {
        return EtcdConnection.open(EtcdSettings.from(context), context);
    }
}
