package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.registry.Registry;
import io.cloudportal.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Lookup of a service with 10 instances through Portal's memory driver against a map of lists. */
@State(Scope.Benchmark)
public class MemoryRegistryBenchmark {

    private Portal portal;
    private Registry registry;
    private final Map<String, List<ServiceInstance>> raw = new ConcurrentHashMap<>();

    @Setup(Level.Trial)
    public void open() {
        portal = Portal.connect("memory://bench-registry");
        registry = portal.registry();
        List<ServiceInstance> instances = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ServiceInstance instance = ServiceInstance.of("orders", "orders-" + i, "10.0.0." + i, 8080);
            registry.register(instance);
            instances.add(instance);
        }
        raw.put("orders", List.copyOf(instances));
    }

    @TearDown(Level.Trial)
    public void close() {
        portal.close();
    }

    @Benchmark
    public List<ServiceInstance> portalLookup() {
        return registry.lookup("orders");
    }

    @Benchmark
    public List<ServiceInstance> rawLookup() {
        return List.copyOf(raw.get("orders"));
    }
}
