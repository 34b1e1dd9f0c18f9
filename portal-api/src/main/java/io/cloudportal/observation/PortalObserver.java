package io.cloudportal.observation;

import java.time.Duration;

/**
 * Hears what one connection does, for metrics and tracing. Attach it with
 * {@link io.cloudportal.Portal#observe(PortalObserver)}; every method does nothing unless
 * overridden. The portable layer calls it on the thread doing the work, so it must be quick; what
 * it throws is logged and ignored, never the operation's failure.
 *
 * <p>Names passed here (topics, groups, locks, elections) come from the application; message ids
 * and keys are only on {@link IncomingMessage}, for traces. Credentials never reach an observer.
 */
public interface PortalObserver {

    /**
     * A publish starts, on the caller's thread; the observer may add headers to the message.
     *
     * @param message the message, whose headers the observer may add to
     * @return the publish's observation, ended when the broker answered
     */
    default Observation publishing(OutgoingMessage message) {
        return Observation.NONE;
    }

    /**
     * A handler is about to run on a message, on the handler's thread.
     *
     * @param message the message
     * @return the run's observation, ended on the same thread when the handler returned or threw
     */
    default Observation processing(IncomingMessage message) {
        return Observation.NONE;
    }

    /**
     * A message whose handler failed will be delivered again (in place after a pause, or by the backend).
     *
     * @param message the message
     * @param reason why the handler failed, as the dead-letter reason would say it
     */
    default void retrying(IncomingMessage message, String reason) {
    }

    /**
     * A message went to its dead-letter topic (or was dropped where the backend keeps none).
     *
     * @param message the message
     * @param reason why
     */
    default void deadLettered(IncomingMessage message, String reason) {
    }

    /**
     * A reply reached this connection's requester after its request had timed out (or the
     * requester closed): it is dropped.
     *
     * @param system the driver's name
     * @param replyTopic the topic it came on
     */
    default void replyDropped(String system, String replyTopic) {
    }

    /**
     * A lock, a permit or a read-write lock's half is being waited for, on the caller's thread.
     *
     * @param system the driver's name
     * @param lock the lock's name
     * @return the wait's observation, with outcome {@code acquired} or {@code timeout}
     */
    default Observation lockWaiting(String system, String lock) {
        return Observation.NONE;
    }

    /**
     * A held lock was released by its holder.
     *
     * @param system the driver's name
     * @param lock the lock's name
     * @param held how long it was held
     */
    default void lockReleased(String system, String lock, Duration held) {
    }

    /**
     * A held lock was lost without its holder releasing it.
     *
     * @param system the driver's name
     * @param lock the lock's name
     * @param held how long it was held
     * @param reason the session's state when the loss was noticed: {@code session_expired}, {@code connection_suspended},
     *        {@code closed}, or {@code lost} (the lease or node went while connected)
     */
    default void lockLost(String system, String lock, Duration held, String reason) {
    }

    /**
     * A candidate of this connection became leader, or stopped being it.
     *
     * @param system the driver's name
     * @param election the election's name
     * @param leading true when it became leader
     * @param tenure when it stopped leading, how long it led; zero when it became leader
     */
    default void leadershipChanged(String system, String election, boolean leading, Duration tenure) {
    }

    /**
     * A KV watch of this connection reported a change, as the driver delivered it (before the
     * listener runs).
     *
     * @param system the driver's name
     * @param prefix the watched prefix
     * @param type {@code PUT}, {@code DELETE}, or {@code RESYNC} where the watch could not exclude a gap
     */
    default void watchEvent(String system, String prefix, io.cloudportal.kv.KvEvent.Type type) {
    }

    /**
     * A driver that keeps its session on a lease (etcd) renewed it. Reported by the driver, on its
     * session thread.
     *
     * @param system the driver's name
     * @param lag how long after the renewal was due the server confirmed it: a round trip when all is
     *        well, seconds while the server is slow or unreachable; at the lease's TTL the lease is gone
     */
    default void leaseRenewed(String system, Duration lag) {
    }

    /**
     * A registration of this connection that went with its session (an expired ZooKeeper session,
     * an ended etcd lease) is on the server again, with its latest data. Reported by the driver
     * once the server has it, not when the session came back.
     *
     * @param system the driver's name
     * @param service the registered instance's service
     */
    default void registrationRestored(String system, String service) {
    }

    /**
     * A subscription of this connection opened; also called, when this observer is attached, for
     * each subscription already open. Its {@link io.cloudportal.messaging.Subscription#lag()} may
     * be read until {@link #subscriptionClosed}.
     *
     * @param system the driver's name
     * @param subscription the subscription
     */
    default void subscriptionOpened(String system, io.cloudportal.messaging.Subscription subscription) {
    }

    /**
     * A subscription of this connection closed.
     *
     * @param system the driver's name
     * @param subscription the subscription
     */
    default void subscriptionClosed(String system, io.cloudportal.messaging.Subscription subscription) {
    }
}
