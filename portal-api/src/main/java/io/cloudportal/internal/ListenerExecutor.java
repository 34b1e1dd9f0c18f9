package io.cloudportal.internal;

import io.cloudportal.spi.NamedThreads;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Portal's own threads for user callbacks, so a listener never runs on (and never blocks) a
 * client library's I/O thread. Each listener gets a serial lane: its events run one at a time,
 * in the order they were dispatched; an exception is logged and the next event still comes.
 */
public final class ListenerExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerExecutor.class);

    private final ExecutorService pool;

    /**
     * Creates the executor of one connection.
     *
     * @param connectionId names the threads
     */
    public ListenerExecutor(String connectionId) {
        this.pool = Executors.newCachedThreadPool(NamedThreads.factory("portal-" + connectionId + "-listener"));
    }

    /**
     * A new serial lane for one listener.
     *
     * @param description what the listener is, for the log line when it throws
     * @return an executor that runs its tasks one at a time, in order
     */
    public Executor lane(String description) {
        return new Lane(description);
    }

    /**
     * Stops the threads once the events already dispatched have run, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait for running listeners
     */
    public void close(Duration timeout) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("Listeners still running {} after close; interrupting them", timeout);
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    private final class Lane implements Executor {
        private final String description;
        private final Queue<Runnable> queue = new ArrayDeque<>();
        private boolean running;

        Lane(String description) {
            this.description = description;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                queue.add(task);
                if (running) {
                    return;
                }
                running = true;
            }
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException closed) {
                LOG.debug("Connection closed; dropping event for {}", description);
                synchronized (this) {
                    queue.clear();
                    running = false;
                }
            }
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException | Error e) {
                    LOG.warn("{} threw; later events are still delivered", description, e);
                }
            }
        }
    }
}
