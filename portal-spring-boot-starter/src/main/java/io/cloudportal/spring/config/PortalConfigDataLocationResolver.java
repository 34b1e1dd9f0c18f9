package io.cloudportal.spring.config;

import java.util.List;
import java.util.Map;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataLocationNotFoundException;
import org.springframework.boot.context.config.ConfigDataLocationResolver;
import org.springframework.boot.context.config.ConfigDataLocationResolverContext;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Resolves {@code spring.config.import=portal:} (the prefix {@code config/<spring.application.name>/})
 * or {@code portal:<prefix>} against the KV store of {@code portal.url}.
 */
public final class PortalConfigDataLocationResolver implements ConfigDataLocationResolver<PortalConfigDataResource> {

    static final String PREFIX = "portal:";

    @Override
    public boolean isResolvable(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        return location.hasPrefix(PREFIX);
    }

    @Override
    public List<PortalConfigDataResource> resolve(ConfigDataLocationResolverContext context, ConfigDataLocation location) {
        Binder binder = context.getBinder();
        String url = binder.bind("portal.url", String.class).orElse(null);
        if ((url == null || url.isBlank()) && binder.bind("portal.test.memory", String.class).orElse("").isBlank()) {
            throw new ConfigDataLocationNotFoundException(location, "spring.config.import names " + location
                    + " but portal.url is not set: the configuration is read from portal.url's KV store", null);
        }
        String prefix = location.getNonPrefixedValue(PREFIX);
        if (prefix.isEmpty()) {
            prefix = "config/" + binder.bind("spring.application.name", String.class).orElse("application") + "/";
        }
        Map<String, String> options = binder.bind("portal.options", Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        String memory = binder.bind("portal.test.memory", String.class).orElse("");
        if (!memory.isBlank()) {
            // An application's own test (@AutoConfigurePortalMemory): the same store as its connections, no server.
            url = "memory://" + memory;
            options = Map.of();
        }
        return List.of(new PortalConfigDataResource(prefix, url, options, location.isOptional()));
    }
}
