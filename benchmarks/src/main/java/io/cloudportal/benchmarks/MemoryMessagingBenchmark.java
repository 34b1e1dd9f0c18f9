package io.cloudportal.benchmarks;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Publish-to-handled throughput of 100-byte messages through a memory topic with one consumer
 * group, against a blocking queue drained by one thread: both count a message when its
 * handler has run.
 */
@State(Scope.Benchmark)
public class MemoryMessagingBenchmark {

    private static final int BATCH = 1_000;
    private static final byte[] PAYLOAD = new byte[100];

    private Portal portal;
    private Publisher publisher;
    private Subscription subscription;
    private final Semaphore handled = new Semaphore(0);
    private final BlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private Thread rawConsumer;
    private final Semaphore rawHandled = new Semaphore(0);
    private int sequence;

    @Setup(Level.Trial)
    public void open() {
        portal = Portal.connect("memory://bench-messaging");
        publisher = portal.publisher();
        subscription = portal.subscriber().subscribe(SubscribeOptions.group("bench", "bench"), delivery -> handled.release());
        rawConsumer = new Thread(() -> {
            try {
                while (true) {
                    queue.take();
                    rawHandled.release();
                }
            } catch (InterruptedException stop) {
                Thread.currentThread().interrupt();
            }
        }, "raw-consumer");
        rawConsumer.setDaemon(true);
        rawConsumer.start();
    }

    @TearDown(Level.Trial)
    public void close() {
        subscription.close();
        portal.close();
        rawConsumer.interrupt();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void portalPublishConsume() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            publisher.publish(new Message("bench", "k" + (sequence++ & 15), PAYLOAD, null));
        }
        if (!handled.tryAcquire(BATCH, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("messages not handled within 60 s");
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawPublishConsume() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            queue.put(new Message("bench", "k" + (sequence++ & 15), PAYLOAD, null));
        }
        if (!rawHandled.tryAcquire(BATCH, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("messages not handled within 60 s");
        }
    }
}
