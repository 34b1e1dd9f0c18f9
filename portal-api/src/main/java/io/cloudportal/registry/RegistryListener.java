package io.cloudportal.registry;

import java.util.List;

/** Hears the instances of a watched service change; called on Portal's listener executor. */
@FunctionalInterface
public interface RegistryListener {
    /**
     * Called with the full current list after each change (and once when the watch starts).
     *
     * @param service the watched service
     * @param instances its instances now, sorted by id
     */
    void instancesChanged(String service, List<ServiceInstance> instances);
}
