package io.cloudportal.spi;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Daemon threads with names that say whose they are. */
public final class NamedThreads {

    private static final Logger LOG = LoggerFactory.getLogger(NamedThreads.class);

    private NamedThreads() {
    }

    /**
     * A factory of daemon threads named {@code <prefix>-<n>} that log an uncaught exception.
     *
     * @param prefix the name prefix
     * @return the factory
     */
    public static ThreadFactory factory(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, e) -> LOG.error("Uncaught exception in {}", t.getName(), e));
            return thread;
        };
    }
}
