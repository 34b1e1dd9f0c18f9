package io.cloudportal.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.spring.PortalTemplate;
import io.cloudportal.spring.test.AutoConfigurePortalMemory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The whole application, as it starts in production, with every Portal connection on memory://
 * whatever its URL says: what an application's own tests use.
 */
@SpringBootTest(properties = "shop.report-every=PT0.1S")
@AutoConfigurePortalMemory
class ShopApplicationTest {

    @Autowired
    PortalTemplate template;
    @Autowired
    Billing billing;
    @Autowired
    NightlyReport report;
    @Autowired
    Housekeeper housekeeper;

    @Test
    void billsOrdersWritesTheReportUnderALockAndLeadsTheHousekeeping() throws Exception {
        template.send("orders", "order-1", "order-1").get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(20)).until(() -> billing.billed().contains("order-1")
                && report.lastToken() > 0 && housekeeper.term() > 0);
    }
}
