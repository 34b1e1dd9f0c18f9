package io.cloudportal.internal;

import io.cloudportal.ConnectionState;
import io.cloudportal.Watch;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.observation.OutgoingMessage;
import io.cloudportal.observation.PortalObserver;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observers attached to one connection, called as one: what an observer throws is logged and
 * never reaches the operation. With none attached the portable layer asks {@link #none()} and
 * builds nothing, so an unobserved connection pays one volatile read per operation.
 */
final class Observers implements PortalObserver {

    private static final Logger LOG = LoggerFactory.getLogger(Observers.class);

    private final List<PortalObserver> attached = new CopyOnWriteArrayList<>();

    boolean none() {
        return attached.isEmpty();
    }

    Watch add(PortalObserver observer) {
        Rules.notNull("observer", observer);
        attached.add(observer);
        return () -> attached.remove(observer);
    }

    /**
     * Attaches an observer and tells it of the subscriptions already open, so that a gauge bound
     * late still sees them (one opening meanwhile may be told twice; observers keep sets).
     */
    Watch add(PortalObserver observer, String system, Iterable<? extends Subscription> open) {
        Watch watch = add(observer);
        for (Subscription subscription : open) {
            try {
                observer.subscriptionOpened(system, subscription);
            } catch (RuntimeException e) {
                LOG.warn("Observer {} failed; the operation goes on: {}", observer, e.toString());
            }
        }
        return watch;
    }

    @Override
    public Observation publishing(OutgoingMessage message) {
        return start(observer -> observer.publishing(message));
    }

    @Override
    public Observation processing(IncomingMessage message) {
        return start(observer -> observer.processing(message));
    }

    @Override
    public Observation lockWaiting(String system, String lock) {
        return start(observer -> observer.lockWaiting(system, lock));
    }

    @Override
    public void retrying(IncomingMessage message, String reason) {
        each(observer -> observer.retrying(message, reason));
    }

    @Override
    public void deadLettered(IncomingMessage message, String reason) {
        each(observer -> observer.deadLettered(message, reason));
    }

    @Override
    public void replyDropped(String system, String replyTopic) {
        each(observer -> observer.replyDropped(system, replyTopic));
    }

    @Override
    public void lockReleased(String system, String lock, Duration held) {
        each(observer -> observer.lockReleased(system, lock, held));
    }

    @Override
    public void lockLost(String system, String lock, Duration held, String reason) {
        each(observer -> observer.lockLost(system, lock, held, reason));
    }

    @Override
    public void leadershipChanged(String system, String election, boolean leading, Duration tenure) {
        each(observer -> observer.leadershipChanged(system, election, leading, tenure));
    }

    @Override
    public void watchEvent(String system, String prefix, io.cloudportal.kv.KvEvent.Type type) {
        each(observer -> observer.watchEvent(system, prefix, type));
    }

    @Override
    public void leaseRenewed(String system, Duration lag) {
        each(observer -> observer.leaseRenewed(system, lag));
    }

    @Override
    public void registrationRestored(String system, String service) {
        each(observer -> observer.registrationRestored(system, service));
    }

    @Override
    public void subscriptionOpened(String system, Subscription subscription) {
        each(observer -> observer.subscriptionOpened(system, subscription));
    }

    @Override
    public void subscriptionClosed(String system, Subscription subscription) {
        each(observer -> observer.subscriptionClosed(system, subscription));
    }

    /** A low-cardinality reason for a lost lock, from the state its session is in when the loss is noticed. */
    static String lossReason(ConnectionState state) {
        return switch (state) {
            case EXPIRED -> "session_expired";
            case SUSPENDED -> "connection_suspended";
            case CLOSED -> "closed";
            default -> "lost";
        };
    }

    private void each(Consumer<PortalObserver> call) {
        for (PortalObserver observer : attached) {
            try {
                call.accept(observer);
            } catch (RuntimeException e) {
                LOG.warn("Observer {} failed; the operation goes on: {}", observer, e.toString());
            }
        }
    }

    private Observation start(Function<PortalObserver, Observation> call) {
        List<Observation> started = null;
        Observation only = Observation.NONE;
        for (PortalObserver observer : attached) {
            Observation observation;
            try {
                observation = call.apply(observer);
            } catch (RuntimeException e) {
                LOG.warn("Observer {} failed; the operation goes on: {}", observer, e.toString());
                continue;
            }
            if (observation == null || observation == Observation.NONE) {
                continue;
            }
            if (only == Observation.NONE) {
                only = observation;
            } else {
                if (started == null) {
                    started = new java.util.ArrayList<>(List.of(only));
                }
                started.add(observation);
            }
        }
        // No list is built for none or one observation: the common cases, one per operation.
        return started != null ? new Guarded(started) : only == Observation.NONE ? Observation.NONE : new Guarded(List.of(only));
    }

    /** Several observations as one; each call reaches every one of them. */
    private record Guarded(List<Observation> observations) implements Observation {
        @Override
        public void outcome(String outcome) {
            for (Observation observation : observations) {
                guard(() -> observation.outcome(outcome), observation);
            }
        }

        @Override
        public void failed(Throwable error) {
            for (Observation observation : observations) {
                guard(() -> observation.failed(error), observation);
            }
        }

        @Override
        public void end() {
            for (Observation observation : observations) {
                guard(observation::end, observation);
            }
        }

        private static void guard(Runnable call, Observation observation) {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.warn("Observation {} failed; the operation goes on: {}", observation, e.toString());
            }
        }
    }
}
