package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.registry.Registration;
import io.cloudportal.registry.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tour of Portal on one connection: register a service, take a lock, watch and write
 * configuration, publish and consume. The URL comes from the first argument or
 * {@code PORTAL_URL}; without either it runs on {@code memory://quickstart}, so it needs no
 * server. Facilities the chosen driver lacks are skipped with a note.
 *
 * <pre>mvn -q -pl examples -am install -DskipTests &amp;&amp; mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.QuickStart</pre>
 */
public final class QuickStart {

    private static final Logger LOG = LoggerFactory.getLogger(QuickStart.class);

    private QuickStart() {
    }

    /**
     * Runs the tour.
     *
     * @param args optionally the URL to connect to
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        String url = args.length > 0 ? args[0] : System.getenv().getOrDefault("PORTAL_URL", "memory://quickstart");
        try (Portal portal = Portal.connect(url)) {
            LOG.info("Connected: {} ({})", portal, portal.capabilities());
            run(portal);
        }
    }

    static void run(Portal portal) throws Exception {
        var facilities = portal.capabilities().facilities();
        if (facilities.contains(io.cloudportal.Facility.REGISTRY)) {
            try (Registration ignored = portal.registry().register(ServiceInstance.of("orders", "orders-1", "10.0.0.5", 8080))) {
                LOG.info("orders instances: {}", portal.registry().lookup("orders"));
            }
        }
        if (facilities.contains(io.cloudportal.Facility.LOCK)) {
            try (HeldLock held = portal.lock("nightly-report").acquire(Duration.ofSeconds(10))) {
                LOG.info("Holding {} with fencing token {}", held.name(), held.fencingToken().value());
            }
        }
        if (facilities.contains(io.cloudportal.Facility.KV_STORE)) {
            CountDownLatch changed = new CountDownLatch(1);
            try (var watch = portal.kvStore().watch("app/", event -> {
                if (event.type() == KvEvent.Type.PUT) {
                    LOG.info("Configuration changed: {} = {}", event.key(), event.value().orElseThrow().valueAsString());
                    changed.countDown();
                }
            })) {
                portal.kvStore().put("app/feature/checkout", "on".getBytes(StandardCharsets.UTF_8));
                changed.await(10, TimeUnit.SECONDS);
            }
        }
        if (facilities.contains(io.cloudportal.Facility.PUBLISHER) && facilities.contains(io.cloudportal.Facility.SUBSCRIBER)) {
            CountDownLatch received = new CountDownLatch(3);
            try (Subscription ignored = portal.subscriber().subscribe(SubscribeOptions.group("orders", "billing"), delivery -> {
                LOG.info("Billing {} (key {}, attempt {})", delivery.message().payloadAsString(), delivery.message().key(), delivery.attempt());
                received.countDown();
            })) {
                for (int i = 1; i <= 3; i++) {
                    portal.publisher().publish(Message.of("orders", "customer-42", "order " + i)).get(10, TimeUnit.SECONDS);
                }
                if (!received.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the orders were not consumed within 10 s");
                }
            }
        }
    }
}
