package io.cloudportal.internal;

import io.cloudportal.messaging.BatchHandler;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.RetryPolicy;
import io.cloudportal.observation.IncomingMessage;
import io.cloudportal.observation.Observation;
import io.cloudportal.spi.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles a batch subscription's batches: one handler call per batch, each delivery's outcome on
 * its own (acknowledged, dead-lettered through the engine, or retried after the policy's pause in
 * a later call with the others that failed), until every message of the batch is settled. The
 * rules are the single-delivery engine's; in an ordered subscription a rejected message holds
 * back the unsettled later messages of its key, so none of them is acknowledged before it.
 */
final class BatchSettlement {

    private static final Logger LOG = LoggerFactory.getLogger(BatchSettlement.class);

    /** A message of the batch and the attempt it is on. */
    private record Pending(Received received, int attempt) {
    }

    private final DeliveryEngine engine;
    private final BatchHandler handler;
    private final RetryPolicy retry;
    private final boolean ordered;

    BatchSettlement(DeliveryEngine engine, BatchHandler handler) {
        this.engine = engine;
        this.handler = handler;
        this.retry = engine.options().retryPolicy();
        this.ordered = engine.options().orderedByKey();
    }

    /** True once every message is settled; false if the subscription started closing and the rest was released. */
    boolean settle(List<? extends Received> batch) {
        List<Pending> pending = new ArrayList<>(batch.size());
        boolean all = true;
        for (Received received : batch) {
            // A revoked partition's message says nothing of the others'; closing keeps what the driver needs handled.
            if (engine.releasedUnstarted(received)) {
                all = false;
            } else {
                pending.add(new Pending(received, received.attempt()));
            }
        }
        DeliveryEngine.Settings settings = engine.settings();
        while (!pending.isEmpty()) {
            List<EngineDelivery> deliveries = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                deliveries.add(new EngineDelivery(engine, p.received(), p.attempt()));
            }
            List<IncomingMessage> observed = settings.observers().none() ? null : new ArrayList<>(pending.size());
            List<Observation> observations = observed == null ? null : new ArrayList<>(pending.size());
            if (observed != null) {
                for (Pending p : pending) {
                    IncomingMessage incoming = engine.observed(p.received(), p.attempt());
                    observed.add(incoming);
                    observations.add(settings.observers().processing(incoming));
                }
            }
            Throwable failure = null;
            try {
                handler.handle(Collections.unmodifiableList(new ArrayList<Delivery>(deliveries)));
            } catch (Exception | Error e) {
                failure = engine.handlerFailed(e);
            }
            // What became of each delivery, decided in the batch's order (a held-back key depends on the messages before it).
            EngineDelivery.Outcome[] outcomes = new EngineDelivery.Outcome[pending.size()];
            boolean[] deadLetters = new boolean[pending.size()];
            Set<String> heldKeys = ordered ? new HashSet<>() : Set.of();
            for (int i = 0; i < pending.size(); i++) {
                EngineDelivery delivery = deliveries.get(i);
                String key = pending.get(i).received().message().key();
                if (key != null && heldKeys.contains(key) && delivery.holdBack()) {
                    outcomes[i] = EngineDelivery.HELD_BACK;
                    continue;
                }
                outcomes[i] = delivery.settleAfter(failure);
                deadLetters[i] = !outcomes[i].acknowledged() && settings.redelivers() && (outcomes[i].deadLetterNow()
                        || pending.get(i).attempt() >= settings.maxAttempts() || (failure != null && !retry.retries(failure)));
                if (ordered && key != null && !outcomes[i].acknowledged() && settings.redelivers() && !deadLetters[i]) {
                    heldKeys.add(key);
                }
            }
            // In reverse: each processing observation may have made its span current on this thread.
            for (int i = pending.size() - 1; i >= 0 && observations != null; i--) {
                engine.endObservation(observations.get(i), observed.get(i), outcomes[i], failure, deadLetters[i]);
            }
            List<Pending> again = new ArrayList<>();
            Duration pause = Duration.ZERO;
            for (int i = 0; i < pending.size(); i++) {
                Pending p = pending.get(i);
                EngineDelivery.Outcome outcome = outcomes[i];
                if (outcome == EngineDelivery.HELD_BACK) {
                    again.add(p);
                } else if (outcome.acknowledged()) {
                    p.received().acknowledge();
                } else if (!settings.redelivers()) {
                    LOG.warn("Batch handler of '{}' failed on message {}; {} does not redeliver, so it is not handled: {}",
                            engine.options().topic(), p.received().messageId(), settings.driverName(), outcome.reason());
                    p.received().dropped(outcome.reason());
                } else if (deadLetters[i]) {
                    if (!engine.deadLetter(p.received(), p.attempt(), outcome.reason())) {
                        again.forEach(left -> left.received().release());
                        return released(pending, i + 1);
                    }
                } else {
                    LOG.debug("Batch handler of '{}' failed on message {} (attempt {} of {}): {}", engine.options().topic(),
                            p.received().messageId(), p.attempt(), settings.maxAttempts(), outcome.reason());
                    Duration wait = retry.pauseAfter(p.attempt());
                    if (!p.received().redeliverLater(wait)) {
                        again.add(new Pending(p.received(), p.attempt() + 1));
                        pause = pause.compareTo(wait) >= 0 ? pause : wait;
                    }
                }
            }
            pending = again;
            if (!pending.isEmpty() && !pause.isZero() && !engine.pause(pause)) {
                return released(pending, 0);
            }
            pending.removeIf(p -> {
                if (p.received().stale()) {
                    p.received().release();
                    return true;
                }
                return false;
            });
        }
        return all;
    }

    private static boolean released(List<Pending> pending, int from) {
        for (int i = from; i < pending.size(); i++) {
            pending.get(i).received().release();
        }
        return false;
    }
}
