package io.cloudportal.internal;

import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.Received;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The handler threads of one subscription. Ordered by key with several handlers: one
 * single-threaded lane per handler, a key always on the same lane. One handler: one lane, which
 * keeps every order. Otherwise one pool, a batch cut into contiguous slices, one per thread at
 * most. A batch costs one task per lane, not one per message: waking a thread per message cost
 * more than small messages take to handle.
 */
final class HandlerLanes implements Lanes {

    private final ExecutorService[] lanes;
    private final boolean byKey;
    private final int pool;
    private final Consumer<List<? extends Received>> work;
    private int roundRobin;

    HandlerLanes(SubscribeOptions options, ThreadFactory threads, Consumer<List<? extends Received>> work) {
        this.work = work;
        this.byKey = options.orderedByKey() && options.concurrency() > 1;
        if (byKey) {
            lanes = new ExecutorService[options.concurrency()];
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = Executors.newSingleThreadExecutor(threads);
            }
            pool = 1;
        } else {
            lanes = new ExecutorService[] {Executors.newFixedThreadPool(options.concurrency(), threads)};
            pool = options.concurrency();
        }
    }

    @Override
    public void submit(Received message) {
        List<Received> one = List.of(message);
        lanes[byKey ? lane(message) : 0].execute(() -> work.accept(one));
    }

    @Override
    public void submit(List<? extends Received> batch) {
        if (batch.isEmpty()) {
            return;
        }
        if (byKey) {
            List<List<Received>> perLane = new ArrayList<>(lanes.length);
            for (int i = 0; i < lanes.length; i++) {
                perLane.add(new ArrayList<>());
            }
            for (Received message : batch) {
                perLane.get(lane(message)).add(message);
            }
            for (int i = 0; i < lanes.length; i++) {
                List<Received> slice = perLane.get(i);
                if (!slice.isEmpty()) {
                    lanes[i].execute(() -> work.accept(slice));
                }
            }
        } else if (pool == 1 || batch.size() == 1) {
            lanes[0].execute(() -> work.accept(batch));
        } else {
            int slices = Math.min(pool, batch.size());
            int size = (batch.size() + slices - 1) / slices;
            for (int from = 0; from < batch.size(); from += size) {
                List<? extends Received> slice = batch.subList(from, Math.min(batch.size(), from + size));
                lanes[0].execute(() -> work.accept(slice));
            }
        }
    }

    /** Keyless messages spread round robin: only a key's order is promised. Called by one driver thread at a time. */
    private int lane(Received message) {
        String key = message.message().key();
        return key == null ? Math.floorMod(roundRobin++, lanes.length) : Math.floorMod(key.hashCode(), lanes.length);
    }

    /** Lets queued tasks run (they release what they hold) and stops the threads once done. */
    @Override
    public void shutdown() {
        for (ExecutorService lane : lanes) {
            lane.shutdown();
        }
    }

    @Override
    public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
        boolean done = true;
        for (ExecutorService lane : lanes) {
            done &= lane.awaitTermination(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        return done;
    }

    @Override
    public void shutdownNow() {
        for (ExecutorService lane : lanes) {
            lane.shutdownNow();
        }
    }
}
