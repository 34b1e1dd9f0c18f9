package io.cloudportal.examples.spring;

import io.cloudportal.messaging.Delivery;
import io.cloudportal.spring.PortalListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Bills each order once per group, whichever instance gets it; a failure is retried, then dead-lettered. */
@Component
public class Billing {

    private static final Logger LOG = LoggerFactory.getLogger(Billing.class);
    private final List<String> billed = new CopyOnWriteArrayList<>();

    @PortalListener(connection = "events", topic = "${shop.orders-topic:orders}", group = "billing", maxAttempts = 3)
    void bill(String order, Delivery delivery) {
        if (order.isBlank()) {
            throw new IllegalArgumentException("an empty order cannot be billed");
        }
        LOG.info("Billed {} (attempt {})", order, delivery.attempt());
        billed.add(order);
    }

    public List<String> billed() {
        return List.copyOf(billed);
    }
}
