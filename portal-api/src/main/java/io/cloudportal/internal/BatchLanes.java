package io.cloudportal.internal;

import io.cloudportal.messaging.BatchOptions;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.spi.Received;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * One lane's waiting messages. A driver's whole poll goes in under one lock with one wake-up,
     * and a handler thread takes a whole batch under one: a blocking queue's lock and signal per
     * message cost a Kafka backlog drain a tenth of its rate.
     */
    private static final class Queue {
        private final ArrayDeque<Received> waiting = new ArrayDeque<>();

        synchronized void add(Received message) {
            waiting.add(message);
            notifyAll();
        }

        synchronized void addAll(List<Received> messages) {
            waiting.addAll(messages);
            notifyAll();
        }

        /** Up to {@code max} messages: waits up to {@code idleNanos} for a first, then up to {@code fillNanos} for the rest. */
        synchronized List<Received> take(int max, long idleNanos, long fillNanos) throws InterruptedException {
            long idleUntil = System.nanoTime() + idleNanos;
            long left;
            while (waiting.isEmpty() && (left = idleUntil - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            if (waiting.isEmpty()) {
                return List.of();
            }
            long fillUntil = System.nanoTime() + fillNanos;
            while (waiting.size() < max && (left = fillUntil - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            List<Received> batch = new ArrayList<>(Math.min(max, waiting.size()));
            while (batch.size() < max && !waiting.isEmpty()) {
                batch.add(waiting.poll());
            }
            return batch;
        }

        synchronized boolean isEmpty() {
            return waiting.isEmpty();
        }

        synchronized List<Received> drain() {
            List<Received> left = new ArrayList<>(waiting);
            waiting.clear();
            return left;
        }

        synchronized void wake() {
            notifyAll();
        }
    }

    private final List<Queue> queues = new ArrayList<>();
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
            queues.add(new Queue());
        }
        for (int i = 0; i < options.concurrency(); i++) {
            Queue queue = queues.get(byKey ? i : 0);
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
        if (queues.size() == 1) {
            queues.get(0).addAll(List.copyOf(messages));
            return;
        }
        List<List<Received>> perLane = new ArrayList<>(queues.size());
        for (int i = 0; i < queues.size(); i++) {
            perLane.add(new ArrayList<>());
        }
        for (Received message : messages) {
            perLane.get(lane(message)).add(message);
        }
        for (int i = 0; i < queues.size(); i++) {
            if (!perLane.get(i).isEmpty()) {
                queues.get(i).addAll(perLane.get(i));
            }
        }
    }

    private int lane(Received message) {
        if (!byKey) {
            return 0;
        }
        String key = message.message().key();
        return key == null ? Math.floorMod(roundRobin++, queues.size()) : Math.floorMod(key.hashCode(), queues.size());
    }

    private void run(Queue queue) {
        try {
            while (true) {
                List<Received> batch = queue.take(batching.maxMessages(), IDLE_CHECK_NANOS, shutdown ? 0 : batching.maxWait().toNanos());
                if (batch.isEmpty()) {
                    if (shutdown && queue.isEmpty()) {
                        return;
                    }
                    continue;
                }
                work.accept(batch);
            }
        } catch (InterruptedException e) {
            // shutdownNow(): what is left in the queue is released, so the backend delivers it again.
            queue.drain().forEach(Received::release);
        }
    }

    @Override
    public synchronized void shutdown() {
        shutdown = true;
        // A thread filling a batch stops waiting: closing hands on (and so releases) what is queued at once.
        queues.forEach(Queue::wake);
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
