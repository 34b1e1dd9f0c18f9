package io.cloudportal.tck;

import static org.awaitility.Awaitility.await;

import io.cloudportal.ConnectionState;
import io.cloudportal.Portal;
import io.cloudportal.Watch;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The steps of each {@link Fault} and what the victim must report, so that a harness only
 * supplies how to cut, restore and restart, and every driver's faults are judged alike: a cut is
 * over when the victim said SUSPENDED and then RECONNECTED; an expiry also needs EXPIRED before
 * the final RECONNECTED; a restart needs SUSPENDED and a final RECONNECTED.
 */
public final class FaultScript {

    /** How long each step may take. */
    public static final Duration STEP = Duration.ofSeconds(60);

    /** An action of a harness that may throw. */
    @FunctionalInterface
    public interface Step {
        /**
         * Runs the step.
         *
         * @throws Exception if it fails
         */
        void run() throws Exception;
    }

    private FaultScript() {
    }

    /**
     * Expires the victim's session the way production does: cut off until the server has let
     * the session go, then restored.
     *
     * @param victim the connection
     * @param cut cuts the victim's connection
     * @param sessionGone tells, asking the server, whether the victim's session is gone
     * @param restore restores the connection
     * @throws Exception if a step fails
     */
    public static void sessionExpiry(Portal victim, Step cut, Callable<Boolean> sessionGone, Step restore) throws Exception {
        List<ConnectionState> seen = new CopyOnWriteArrayList<>();
        try (Watch ignored = victim.onStateChange(seen::add)) {
            cut.run();
            try {
                await().atMost(STEP).until(() -> seen.contains(ConnectionState.SUSPENDED));
                await().atMost(STEP).pollInterval(Duration.ofMillis(200)).until(sessionGone);
            } finally {
                restore.run();
            }
            await().atMost(STEP).until(() -> seen.contains(ConnectionState.EXPIRED) && last(seen) == ConnectionState.RECONNECTED);
        }
    }

    /**
     * Cuts the victim's connection until it reports SUSPENDED, then restores it.
     *
     * @param victim the connection
     * @param cut cuts the victim's connection
     * @param restore restores the connection
     * @throws Exception if a step fails
     */
    public static void connectionCut(Portal victim, Step cut, Step restore) throws Exception {
        List<ConnectionState> seen = new CopyOnWriteArrayList<>();
        try (Watch ignored = victim.onStateChange(seen::add)) {
            cut.run();
            try {
                await().atMost(STEP).until(() -> seen.contains(ConnectionState.SUSPENDED));
            } finally {
                restore.run();
            }
            await().atMost(STEP).until(() -> last(seen) == ConnectionState.RECONNECTED);
        }
    }

    /**
     * Restarts the server and waits until the victim lost it and came back.
     *
     * @param victim the connection
     * @param restart stops and starts the server on the same data
     * @throws Exception if a step fails
     */
    public static void serverRestart(Portal victim, Step restart) throws Exception {
        List<ConnectionState> seen = new CopyOnWriteArrayList<>();
        try (Watch ignored = victim.onStateChange(seen::add)) {
            restart.run();
            await().atMost(STEP).until(() -> seen.contains(ConnectionState.SUSPENDED) && last(seen) == ConnectionState.RECONNECTED);
        }
    }

    private static ConnectionState last(List<ConnectionState> seen) {
        return seen.isEmpty() ? null : seen.get(seen.size() - 1);
    }
}
