package io.cloudportal.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handles a connection handed out and still has open, so that closing the connection
 * closes them, newest first. Every tracked handle is one of Portal's own wrappers, whose
 * equality is identity.
 */
final class Resources {

    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    private final Set<AutoCloseable> open = new LinkedHashSet<>();

    synchronized <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    synchronized void forget(AutoCloseable resource) {
        open.remove(resource);
    }

    void closeAll() {
        List<AutoCloseable> newestFirst;
        synchronized (this) {
            newestFirst = new ArrayList<>(open);
        }
        Collections.reverse(newestFirst);
        for (AutoCloseable resource : newestFirst) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.warn("Closing {} failed; closing the rest", resource, e);
            }
        }
    }
}
