package io.cloudportal.spi;

import io.cloudportal.ConnectionState;
import io.cloudportal.ConnectionStateListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one connection's session, the same for every driver (Curator's
 * {@code ConnectionStateManager} is the model): a driver reports what its client says with
 * {@link #moveTo(ConnectionState)}; a repeated state is dropped, CLOSED is final, and each
 * transition runs the driver's own reactions (its held locks, candidacies, watches) before the
 * users' listeners, all on the reporting thread, in order. The portable layer hands users'
 * listeners to {@link #addListener(ConnectionStateListener)} already wrapped to run on Portal's
 * executor.
 */
public final class SessionState {

    private static final Logger LOG = LoggerFactory.getLogger(SessionState.class);

    private final String description;
    private final List<Consumer<ConnectionState>> reactions = new CopyOnWriteArrayList<>();
    private final List<ConnectionStateListener> listeners = new CopyOnWriteArrayList<>();
    /** Written under the monitor, read without it. */
    private volatile ConnectionState state = ConnectionState.CONNECTED;

    /**
     * A session that starts CONNECTED.
     *
     * @param description what the session is, for log lines, e.g. "the ZooKeeper session of zk-1"
     */
    public SessionState(String description) {
        this.description = description;
    }

    /**
     * The state now.
     *
     * @return the current state
     */
    public ConnectionState current() {
        return state;
    }

    /**
     * Moves to a state, unless it is the current one or the session is closed.
     *
     * @param next the state the client reports
     * @return true if this was a transition (and reactions and listeners ran)
     */
    public boolean moveTo(ConnectionState next) {
        return moveTo(next, null);
    }

    /**
     * Moves to a state, as {@link #moveTo(ConnectionState)}, and says why in the log: at WARN when
     * what is bound to the session may be gone (SUSPENDED, EXPIRED), at INFO otherwise. Nothing is
     * logged when the state does not change.
     *
     * @param next the state the client reports
     * @param why what the client saw, e.g. "the connection to rabbit-1:5672 dropped"; null to log only the state
     * @return true if this was a transition
     */
    public boolean moveTo(ConnectionState next, String why) {
        // One transition at a time, so every reaction and listener sees them in order.
        synchronized (this) {
            if (state == next || state == ConnectionState.CLOSED) {
                return false;
            }
            state = next;
            if (why == null) {
                LOG.debug("{} is {}", description, next);
            } else if (endsHolding(next)) {
                LOG.warn("{} is {}: {}", description, next, why);
            } else {
                LOG.info("{} is {}: {}", description, next, why);
            }
            for (Consumer<ConnectionState> reaction : reactions) {
                try {
                    reaction.accept(next);
                } catch (RuntimeException e) {
                    LOG.warn("Reacting to {} of {} failed", next, description, e);
                }
            }
            for (ConnectionStateListener listener : listeners) {
                try {
                    listener.stateChanged(next);
                } catch (RuntimeException e) {
                    LOG.warn("A listener of {} failed on {}", description, next, e);
                }
            }
            return true;
        }
    }

    /**
     * Reports what a probe of a backend that keeps no session found (a cluster that answers a
     * metadata request, a hub's heartbeat): no answer suspends the session; the first answer after
     * that brings it back as RECONNECTED; an answer while it is not suspended changes nothing.
     *
     * @param answered whether the backend answered
     * @param why what was probed and seen, for the log line of a transition
     * @return true if this was a transition
     */
    public boolean probed(boolean answered, String why) {
        if (answered) {
            synchronized (this) {
                return state == ConnectionState.SUSPENDED && moveTo(ConnectionState.RECONNECTED, why);
            }
        }
        return moveTo(ConnectionState.SUSPENDED, why);
    }

    /**
     * Whether the session is in a state where what is bound to it may be gone.
     *
     * @return true while SUSPENDED, EXPIRED or CLOSED
     */
    public boolean isInterrupted() {
        ConnectionState now = current();
        return endsHolding(now) || now == ConnectionState.CLOSED;
    }

    /**
     * Adds a driver reaction, run before the users' listeners.
     *
     * @param reaction called with each new state
     * @return a handle that removes it
     */
    public AutoCloseable react(Consumer<ConnectionState> reaction) {
        reactions.add(reaction);
        return () -> reactions.remove(reaction);
    }

    /**
     * Adds a user's listener (already wrapped to run on Portal's executor).
     *
     * @param listener the listener
     * @return a handle that removes it
     */
    public AutoCloseable addListener(ConnectionStateListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /**
     * The rule every driver shares: in these states a lock, permit or candidacy bound to the
     * session can no longer be trusted (SUSPENDED: the session may expire meanwhile and another
     * holder take over; EXPIRED: it did).
     *
     * @param state a state
     * @return true for SUSPENDED and EXPIRED
     */
    public static boolean endsHolding(ConnectionState state) {
        return state == ConnectionState.SUSPENDED || state == ConnectionState.EXPIRED;
    }

    /**
     * Watches for the states in which a lock, permit or candidacy bound to this session must be
     * taken as lost: SUSPENDED (the session may expire meanwhile and another holder take over)
     * and EXPIRED. The rule lives here once, for every driver.
     *
     * @param onLost called with the reason, on the first such transition
     * @param backend what the session is on, for the reason text, e.g. "ZooKeeper"
     * @param session what ends with it, e.g. "session" or "lease"
     * @return a handle that stops watching
     */
    public AutoCloseable watchForLoss(Consumer<String> onLost, String backend, String session) {
        return react(next -> {
            if (next == ConnectionState.SUSPENDED) {
                onLost.accept("the connection to " + backend + " was suspended; the " + session + " may expire and the lock pass to another holder");
            } else if (next == ConnectionState.EXPIRED) {
                onLost.accept("the " + backend + " " + session + " expired");
            } else if (next == ConnectionState.CLOSED) {
                onLost.accept("the connection was closed");
            }
        });
    }

    /** Moves to CLOSED, the last transition; later reports are dropped. */
    public void close() {
        moveTo(ConnectionState.CLOSED);
    }

    @Override
    public String toString() {
        return description + " (" + current() + ")";
    }
}
