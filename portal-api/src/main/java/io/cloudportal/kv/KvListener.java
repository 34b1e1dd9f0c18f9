package io.cloudportal.kv;

/** Hears the changes under a watched prefix; called on Portal's listener executor, one event at a time, in order. */
@FunctionalInterface
public interface KvListener {
    /**
     * Called for each change.
     *
     * @param event the change
     */
    void changed(KvEvent event);
}
