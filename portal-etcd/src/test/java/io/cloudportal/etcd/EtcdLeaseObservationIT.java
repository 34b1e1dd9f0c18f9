package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.observation.PortalObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The etcd session reports each lease renewal's lag to the connection's observers: small when well, the outage's length after one. */
class EtcdLeaseObservationIT {

    private static final EtcdHarness HARNESS = EtcdHarness.INSTANCE;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @Test
    void everyRenewalReportsItsLagAndAFrozenServerShowsAsALateOne() throws Exception {
        List<Duration> lags = new CopyOnWriteArrayList<>();
        try (Portal portal = HARNESS.connect()) {
            portal.observe(new PortalObserver() {
                @Override
                public void leaseRenewed(String system, Duration lag) {
                    assertThat(system).isEqualTo("etcd");
                    lags.add(lag);
                }
            });
            await().atMost(PATIENCE).until(() -> lags.size() >= 2);
            assertThat(lags).as("renewals while all is well").allMatch(lag -> lag.compareTo(EtcdHarness.LEASE_TTL) < 0);
            int before;
            // Frozen until a renewal has failed (SUSPENDED): the renewal due then is confirmed only after the thaw.
            try (AutoCloseable frozen = HARNESS.freeze(portal)) {
                await().atMost(PATIENCE).until(() -> portal.state() == ConnectionState.SUSPENDED);
                before = lags.size();
            }
            await().atMost(PATIENCE).until(() -> lags.size() > before);
            assertThat(lags.get(before)).as("the first renewal after the server was frozen past a renewal")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        }
    }
}
