package io.cloudportal.zeromq;

import java.util.HashMap;
import java.util.Map;
import org.zeromq.ZContext;

/**
 * The JVM's inproc hubs. inproc endpoints exist only within one ZeroMQ context, so every
 * {@code zeromq+inproc://} connection shares one context; a named hub starts with its first
 * connection and stops with its last, and the context (with its I/O threads) goes when no hub is left.
 */
final class InprocHubs {

    private static final Map<String, Entry> HUBS = new HashMap<>();
    private static ZContext context;

    private InprocHubs() {
    }

    private static final class Entry {
        final ZeroMqHub hub;
        int users;

        Entry(ZeroMqHub hub) {
            this.hub = hub;
        }
    }

    /** Takes a share of the named hub (starting it if needed) and returns the shared context. */
    static synchronized ZContext acquire(ZeroMqSettings settings) {
        String name = settings.inprocName().orElseThrow();
        if (context == null) {
            context = new ZContext(1);
        }
        Entry entry = HUBS.get(name);
        if (entry == null) {
            entry = new Entry(ZeroMqHub.start(settings, context, false, "portal-zeromq-inproc-hub-" + name));
            HUBS.put(name, entry);
        }
        entry.users++;
        return context;
    }

    static synchronized void release(ZeroMqSettings settings) {
        String name = settings.inprocName().orElseThrow();
        Entry entry = HUBS.get(name);
        if (entry == null || --entry.users > 0) {
            return;
        }
        HUBS.remove(name);
        entry.hub.close();
        if (HUBS.isEmpty()) {
            context.close();
            context = null;
        }
    }
}
