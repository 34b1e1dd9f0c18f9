package io.cloudportal.spi;

import java.util.List;

/**
 * What a driver's election adds so that anyone can follow it without joining: its candidates in
 * order, and a signal whenever they change. The portable layer reads the leader on each signal
 * and tells observers only of changes, once and in order.
 */
public interface ObservableElection {

    /**
     * The candidates now, in election order: the leader (if any) first, then who would lead next.
     *
     * @return the candidate ids
     */
    List<String> participants();

    /**
     * Signals every change of the candidates (a join, a leave, an expiry) and every resynchronisation
     * after a reconnect, on a thread of the driver's; the callback only hands the signal on.
     *
     * @param changed called on each change
     * @return closing it stops the signals
     */
    AutoCloseable onChange(Runnable changed);
}
