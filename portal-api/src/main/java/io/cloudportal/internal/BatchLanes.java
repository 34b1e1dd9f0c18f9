package io.cloudportal.internal;

import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.Received;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The handler threads of a batch subscription. Messages wait in a queue; a handler thread takes
 * the first, then what else comes within {@code maxWait}, up to {@code maxMessages}, and hands the
 * batch on. Ordered by key with several handlers: one queue and one thread per lane, a key always
 * on the same lane; otherwise one queue that every handler thread takes batches from. A driver
 * that hands over single messages (RabbitMQ) gets batches as full as one that polls (Kafka).
 */
final class BatchLanes implements Lanes {

    /** How often an idle handler thread looks whether the lanes were shut down. */
    private static final long IDLE_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final List<LinkedBlockingQueue<Received>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final boolean byKey;
    private final BatchOptions batching;
    private final Consumer<List<Received>> work;
    private volatile boolean shutdown;
    private int roundRobin;

    BatchLanes(SubscribeOptions options, BatchOptions batching, ThreadFactory factory, Consumer<List<Received>> work) {
        this.batching = batching;
        this.work = work;
        this.byKey = options.orderedByKey() && options.concurrency() > 1;
        for (int i = 0; i < (byKey ? options.concurrency() : 1); i++) {
            queues.add(new LinkedBlockingQueue<>());
        }
        for (int i = 0; i < options.concurrency(); i++) {
            LinkedBlockingQueue<Received> queue = queues.get(byKey ? i : 0);
            Thread thread = factory.newThread(() -> run(queue));
            threads.add(thread);
            thread.start();
        }
    }

    @Override
    public synchronized void submit(Received message) {
        // Synchronized with shutdown(): once it is set, nothing more is queued, so a lane that found its queue empty stays done.
        if (shutdown) {
            throw new RejectedExecutionException("the subscription is closing");
        }
        queues.get(lane(message)).add(message);
    }

    @Override
    public synchronized void submit(List<? extends Received> messages) {
        if (shutdown) {
            throw new RejectedExecutionException("the subscription is closing");
        }
        for (Received message : messages) {
            queues.get(lane(message)).add(message);
        }
    }

    private int lane(Received message) {
        if (!byKey) {
            return 0;
        }
        String key = message.message().key();
        return key == null ? Math.floorMod(roundRobin++, queues.size()) : Math.floorMod(key.hashCode(), queues.size());
    }

    private void run(LinkedBlockingQueue<Received> queue) {
        try {
            while (true) {
                Received first = queue.poll(IDLE_CHECK_NANOS, TimeUnit.NANOSECONDS);
                if (first == null) {
                    if (shutdown && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                List<Received> batch = new ArrayList<>(Math.min(batching.maxMessages(), 1 + queue.size()));
                batch.add(first);
                long deadline = System.nanoTime() + batching.maxWait().toNanos();
                while (batch.size() < batching.maxMessages()) {
                    queue.drainTo(batch, batching.maxMessages() - batch.size());
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= batching.maxMessages() || left <= 0 || shutdown) {
                        break;
                    }
                    Received next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
                work.accept(batch);
            }
        } catch (InterruptedException e) {
            // shutdownNow(): what is left in the queue is released, so the backend delivers it again.
            List<Received> left = new ArrayList<>();
            queue.drainTo(left);
            left.forEach(Received::release);
        }
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public boolean awaitTermination(long deadlineNanos) throws InterruptedException {
        for (Thread thread : threads) {
            long left = deadlineNanos - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.timedJoin(thread, left);
            }
            if (thread.isAlive()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void shutdownNow() {
        shutdown();
        threads.forEach(Thread::interrupt);
    }
}
