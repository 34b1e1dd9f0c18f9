package io.cloudportal.internal;

import io.cloudportal.spi.Received;
import java.util.List;

/** The handler threads of one subscription, fed by the driver; {@link HandlerLanes} or, for batch handlers, {@link BatchLanes}. */
interface Lanes {

    /** Queues one message; throws {@link java.util.concurrent.RejectedExecutionException} once shut down. */
    void submit(Received message);

    /** Queues messages in the backend's order; throws {@link java.util.concurrent.RejectedExecutionException} once shut down. */
    void submit(List<? extends Received> messages);

    /** Takes no more; what is queued is still handed on (and released there, unless the driver needs it handled before closing). */
    void shutdown();

    boolean awaitTermination(long deadlineNanos) throws InterruptedException;

    /** Interrupts handlers that outlived the drain. */
    void shutdownNow();
}
