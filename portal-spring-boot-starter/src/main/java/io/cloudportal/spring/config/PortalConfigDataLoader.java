package io.cloudportal.spring.config;

import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.kv.KvSnapshot;
import java.util.List;
import org.springframework.boot.context.config.ConfigData;
import org.springframework.boot.context.config.ConfigDataLoader;
import org.springframework.boot.context.config.ConfigDataLoaderContext;
import org.springframework.boot.context.config.ConfigDataResourceNotFoundException;

/**
 * Reads a prefix of the KV store once, before the application context exists, and hands the
 * connection and the revision it read at to a {@link PortalConfigWatcher} that keeps the
 * properties current while the context runs.
 */
public final class PortalConfigDataLoader implements ConfigDataLoader<PortalConfigDataResource> {

    @Override
    public ConfigData load(ConfigDataLoaderContext context, PortalConfigDataResource resource) {
        Portal portal;
        try {
            portal = Portal.connect(resource.url(), resource.options());
        } catch (PortalException e) {
            // Boot skips an `optional:portal:` resource that is not found, and fails startup for a required one.
            throw new ConfigDataResourceNotFoundException(resource, e);
        }
        try {
            KvSnapshot snapshot = portal.kvStore().snapshot(resource.prefix());
            PortalConfigWatcher watcher = new PortalConfigWatcher(portal, resource.prefix(), snapshot);
            context.getBootstrapContext().addCloseListener(event -> watcher.attach(event.getApplicationContext()));
            return new ConfigData(List.of(watcher.propertySource()));
        } catch (RuntimeException e) {
            portal.close();
            throw e;
        }
    }
}
