package io.cloudportal;

/** Hears the transitions of a connection's session; called on Portal's listener executor. */
@FunctionalInterface
public interface ConnectionStateListener {
    /**
     * Called once for each transition, in order.
     *
     * @param newState the state the connection is now in
     */
    void stateChanged(ConnectionState newState);
}
