package io.cloudportal.internal;

import io.cloudportal.Watch;
import java.util.concurrent.atomic.AtomicBoolean;

/** A watch handle that runs its stop action once and stops being tracked by the connection. */
final class OnceWatch implements Watch {

    private final DefaultPortal portal;
    private final Runnable stop;
    private final AtomicBoolean closed = new AtomicBoolean();

    OnceWatch(DefaultPortal portal, Runnable stop) {
        this.portal = portal;
        this.stop = stop;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            portal.forget(this);
            stop.run();
        }
    }
}
