package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.registry.ServiceInstance;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Service discovery: two instances of {@code orders} register, a client discovers them and
 * spreads its calls over them, one instance stops and the client's watch sees it leave.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.RegistryExample</pre>
 */
public final class RegistryExample {

    private RegistryExample() {
    }

    /**
     * Runs the example on the configured coordination backend (an embedded ZooKeeper if none).
     *
     * @param args unused
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Transcript out = Transcript.console();
        try (Backend backend = Backend.coordination(out)) {
            run(backend::connect, out);
        }
    }

    /**
     * The example itself.
     *
     * @param connect opens a connection, as one process of the system would
     * @param out where the example says what happens
     * @throws Exception if a step fails
     */
    public static void run(Supplier<Portal> connect, Transcript out) throws Exception {
        // Each instance is a process of its own with its own connection: its registration lives exactly as long as
        // that connection does, so a crashed instance disappears from the registry without anyone cleaning up.
        try (Portal client = connect.get(); Portal first = connect.get(); Portal second = connect.get()) {
            first.registry().register(ServiceInstance.of("orders", "orders-1", "10.0.0.1", 8080));
            second.registry().register(ServiceInstance.of("orders", "orders-2", "10.0.0.2", 8080));
            out.say("orders-1 (10.0.0.1:8080) and orders-2 (10.0.0.2:8080) registered");

            // The client watches rather than looking up before every call: the watch keeps a local view current,
            // so picking an instance costs nothing, and a departure is noticed without polling.
            AtomicReference<List<ServiceInstance>> instances = new AtomicReference<>(List.of());
            CountDownLatch bothKnown = new CountDownLatch(1);
            CountDownLatch oneLeft = new CountDownLatch(1);
            try (Watch ignored = client.registry().watch("orders", (service, now) -> {
                instances.set(now);
                out.say("client's watch: orders is now %s", ids(now));
                if (now.size() == 2) {
                    bothKnown.countDown();
                } else if (now.size() == 1 && bothKnown.getCount() == 0) {
                    oneLeft.countDown();
                }
            })) {
                await(bothKnown, "the client to see both instances");
                call(instances.get(), 1, 4, out);

                second.close();
                out.say("orders-2 stopped (its connection closed)");
                await(oneLeft, "the client to see orders-2 leave");
                out.say("the watch saw orders-2 leave");
                call(instances.get(), 5, 6, out);
            }
        }
    }

    /** Round robin: the simplest spread; a real client would also skip instances that fail. */
    private static void call(List<ServiceInstance> instances, int from, int to, Transcript out) {
        for (int call = from; call <= to; call++) {
            ServiceInstance target = instances.get(call % instances.size());
            out.say("call %d served by %s at %s:%d", call, target.id(), target.host(), target.port());
        }
    }

    private static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::id).sorted().toList();
    }

    private static void await(CountDownLatch latch, String what) throws InterruptedException {
        if (!latch.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("waited 30 s for " + what);
        }
    }
}
