package io.cloudportal.spring.config;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import io.cloudportal.kv.KvSnapshot;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.ClassUtils;

/**
 * Keeps a KV prefix's properties current: it watches from the revision the startup read was made
 * at (so no change between the read and the watch is missed), updates the property source in
 * place, and publishes Spring Cloud's {@code EnvironmentChangeEvent} with the changed names, which
 * rebinds {@code @ConfigurationProperties} beans when spring-cloud-context is on the classpath.
 * Key {@code <prefix>checkout/currency} (or {@code checkout.currency}) is property
 * {@code checkout.currency}.
 */
final class PortalConfigWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(PortalConfigWatcher.class);
    private static final String CHANGE_EVENT = "org.springframework.cloud.context.environment.EnvironmentChangeEvent";

    private final Portal portal;
    private final String prefix;
    private final long revision;
    private final Map<String, Object> properties = new ConcurrentHashMap<>();
    private final MapPropertySource source;
    private volatile ConfigurableApplicationContext context;
    private volatile Watch watch;

    PortalConfigWatcher(Portal portal, String prefix, KvSnapshot snapshot) {
        this.portal = portal;
        this.prefix = prefix;
        this.revision = snapshot.revision();
        for (KeyValue entry : snapshot.entries()) {
            properties.put(propertyName(entry.key()), entry.valueAsString());
        }
        this.source = new MapPropertySource("portal:" + prefix, properties);
    }

    MapPropertySource propertySource() {
        return source;
    }

    String propertyName(String key) {
        return key.substring(prefix.length()).replace('/', '.');
    }

    /** Starts watching once the application context exists, and stops when it closes. */
    void attach(ConfigurableApplicationContext application) {
        this.context = application;
        application.addApplicationListener((ApplicationEvent event) -> {
            if (event instanceof ContextClosedEvent closed && closed.getApplicationContext() == application) {
                close();
            }
        });
        watch = portal.kvStore().watch(prefix, revision, this::changed);
        LOG.info("Properties from {} (portal:{}) follow the KV store from revision {}", portal, prefix, revision);
    }

    private void changed(KvEvent event) {
        Set<String> changed = new HashSet<>();
        switch (event.type()) {
            case PUT -> event.value().ifPresent(value -> {
                String name = propertyName(event.key());
                properties.put(name, value.valueAsString());
                changed.add(name);
            });
            case DELETE -> {
                String name = propertyName(event.key());
                if (properties.remove(name) != null) {
                    changed.add(name);
                }
            }
            case RESYNC -> changed.addAll(reread());
        }
        if (!changed.isEmpty()) {
            publish(changed);
        }
    }

    /** After a gap the watch could not close: read the prefix again and report every difference. */
    private Set<String> reread() {
        Map<String, Object> now = new ConcurrentHashMap<>();
        for (KeyValue entry : portal.kvStore().snapshot(prefix).entries()) {
            now.put(propertyName(entry.key()), entry.valueAsString());
        }
        Set<String> changed = new HashSet<>(properties.keySet());
        changed.addAll(now.keySet());
        changed.removeIf(name -> java.util.Objects.equals(properties.get(name), now.get(name)));
        properties.keySet().retainAll(now.keySet());
        properties.putAll(now);
        return changed;
    }

    private void publish(Set<String> changed) {
        ConfigurableApplicationContext application = context;
        if (application == null || !application.isActive()) {
            return;
        }
        LOG.info("Properties {} changed in portal:{}", changed, prefix);
        if (ClassUtils.isPresent(CHANGE_EVENT, PortalConfigWatcher.class.getClassLoader())) {
            application.publishEvent(new org.springframework.cloud.context.environment.EnvironmentChangeEvent(application, changed));
        }
    }

    void close() {
        Watch current = watch;
        if (current != null) {
            current.close();
        }
        portal.close();
    }
}
