package io.cloudportal.examples.spring;

import io.cloudportal.spring.PortalLocks;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/** Every instance schedules the report; the lock lets one of them write it. */
@Component
public class NightlyReport {

    private static final Logger LOG = LoggerFactory.getLogger(NightlyReport.class);
    private final PortalLocks locks;
    private final AtomicLong lastToken = new AtomicLong();

    public NightlyReport(PortalLocks locks) {
        this.locks = locks;
    }

    @Scheduled(fixedDelayString = "${shop.report-every:PT1M}")
    public void run() throws Exception {
        boolean ran = locks.runIfHeld("nightly-report", Duration.ZERO, held -> {
            // The token goes with the write, so the store can refuse a holder that lost the lock meanwhile.
            lastToken.set(held.fencingToken().value());
            LOG.info("Report written under fencing token {}", held.fencingToken().value());
        });
        if (!ran) {
            LOG.info("Another instance writes the report");
        }
    }

    public long lastToken() {
        return lastToken.get();
    }
}
