package io.cloudportal.spring;

import io.cloudportal.leader.LeadershipEvent;

/**
 * A bean that takes part in a leader election from startup to shutdown, in the spirit of Spring
 * Integration's {@code LeaderInitiator}: {@link #granted} is called when this instance is
 * elected and {@link #revoked} when its term ends (stepping down, a lost session, shutdown). The
 * event's {@link LeadershipEvent#term() term} is a fencing token: pass it to the resources the
 * leader writes so that they can refuse a deposed leader's late writes.
 *
 * <pre>{@code
 * @Component
 * class Housekeeper implements PortalCandidate {
 *     public String election() { return "housekeeping"; }
 *     public void granted(LeadershipEvent event) { scheduler.start(event.term()); }
 *     public void revoked(LeadershipEvent event) { scheduler.stop(); }
 * }
 * }</pre>
 *
 * Both are called on Portal's listener thread, in order; a slow callback delays the next one.
 */
public interface PortalCandidate {

    /** @return the election's name; see {@link io.cloudportal.spi.Rules#name} */
    String election();

    /** @return the connection, by name; empty for the primary one */
    default String connection() {
        return "";
    }

    /** @param event this instance was elected; {@code event.term()} is its fencing token */
    void granted(LeadershipEvent event);

    /** @param event this instance's term ended */
    default void revoked(LeadershipEvent event) {
    }
}
