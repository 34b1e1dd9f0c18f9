package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.lock.Lock;
import io.cloudportal.lock.ReadWriteLock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ReadWriteLock}: readers share, a writer excludes everyone, a waiting
 * writer is not starved by arriving readers, tokens increase, a lost holding is known to its holder.
 */
@Requires(Facility.READ_WRITE_LOCK)
public abstract class ReadWriteLockContract extends HoldingContract {

    /** Who is inside the section the lock protects; an overlap is a writer with anyone else. */
    private static final class Section {
        private final AtomicInteger readers = new AtomicInteger();
        private final AtomicInteger writers = new AtomicInteger();
        private final AtomicInteger mostReaders = new AtomicInteger();
        private final AtomicLong overlaps = new AtomicLong();
        private final AtomicLong entries = new AtomicLong();

        void read(HeldLock held) {
            readers.incrementAndGet();
            if (writers.get() > 0 && held.isHeld()) {
                overlaps.incrementAndGet();
            }
            mostReaders.accumulateAndGet(readers.get(), Math::max);
            entries.incrementAndGet();
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            readers.decrementAndGet();
        }

        void write(HeldLock held) {
            int others = writers.incrementAndGet() - 1 + readers.get();
            if (others > 0 && held.isHeld()) {
                overlaps.incrementAndGet();
            }
            entries.incrementAndGet();
            LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
            writers.decrementAndGet();
        }
    }

    @Test
    void readersOverlapAndAWriterNeverOverlapsAnyone() throws Exception {
        String name = unique("rw");
        Section section = new Section();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong failures = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            boolean writer = i < 2;
            Lock lock = writer ? open().readWriteLock(name).writeLock() : open().readWriteLock(name).readLock();
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try (HeldLock held = lock.acquire(PATIENCE)) {
                        if (writer) {
                            section.write(held);
                        } else {
                            section.read(held);
                        }
                    } catch (PortalException e) {
                        failures.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "tck-rw-" + (writer ? "writer-" : "reader-") + i);
            threads.add(thread);
            thread.start();
        }
        try {
            await().atMost(PATIENCE).until(() -> section.entries.get() >= 300);
        } finally {
            running.set(false);
            for (Thread thread : threads) {
                thread.join(PATIENCE.toMillis());
            }
        }
        figure("acquisitions", section.entries.get());
        figure("mostReadersAtOnce", section.mostReaders.get());
        figure("overlaps", section.overlaps.get());
        assertThat(failures.get()).as("failed acquisitions").isZero();
        assertThat(section.overlaps.get()).as("a writer inside with anyone else").isZero();
    }

    @Test
    void readersHoldTogetherAndAWriterWaitsForAllOfThem() throws Exception {
        String name = unique("rw");
        List<HeldLock> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            readers.add(open().readWriteLock(name).readLock().acquire(PATIENCE));
        }
        assertThat(readers).allMatch(HeldLock::isHeld);
        Lock writer = open().readWriteLock(name).writeLock();
        assertThat(writer.tryAcquire(Duration.ofMillis(300))).as("the write lock while 3 read").isEmpty();
        long newestReader = readers.stream().mapToLong(held -> held.fencingToken().value()).max().orElseThrow();
        readers.remove(0).close();
        assertThat(writer.tryAcquire(Duration.ofMillis(200))).as("the write lock while 2 still read").isEmpty();
        readers.forEach(HeldLock::close);
        try (HeldLock writing = writer.acquire(PATIENCE)) {
            assertThat(writing.fencingToken().value()).as("the writer's token, after the readers'").isGreaterThan(newestReader);
            assertThat(open().readWriteLock(name).readLock().tryAcquire(Duration.ofMillis(200))).as("a reader while writing").isEmpty();
            assertThat(open().readWriteLock(name).writeLock().tryAcquire(Duration.ZERO)).as("a second writer").isEmpty();
        }
        try (HeldLock reading = open().readWriteLock(name).readLock().acquire(PATIENCE)) {
            assertThat(reading.isHeld()).isTrue();
        }
    }

    @Test
    void aWaitingWriterIsNotStarvedByReadersThatKeepArriving() throws Exception {
        String name = unique("rw");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Lock read = open().readWriteLock(name).readLock();
            Thread thread = new Thread(() -> {
                while (running.get()) {
                    try (HeldLock held = read.acquire(PATIENCE)) {
                        reads.incrementAndGet();
                        LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
                    } catch (PortalException | InterruptedException e) {
                        return;
                    }
                }
            }, "tck-rw-arriving-reader-" + i);
            readers.add(thread);
            thread.start();
        }
        long waitedMillis;
        try {
            await().atMost(PATIENCE).until(() -> reads.get() >= 20);
            Lock write = open().readWriteLock(name).writeLock();
            long start = System.nanoTime();
            try (HeldLock writing = write.acquire(PATIENCE)) {
                waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(writing.isHeld()).isTrue();
            }
        } finally {
            running.set(false);
            for (Thread thread : readers) {
                thread.join(PATIENCE.toMillis());
            }
        }
        figure("readsBeforeTheWriter", reads.get());
        figure("writerWaitedMillis", waitedMillis);
    }

    @Test
    void aReaderArrivingBehindAWaitingWriterWaitsForIt() throws Exception {
        String name = unique("rw");
        HeldLock first = open().readWriteLock(name).readLock().acquire(PATIENCE);
        Lock write = open().readWriteLock(name).writeLock();
        AtomicReference<HeldLock> written = new AtomicReference<>();
        CountDownLatch granted = new CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                written.set(write.acquire(PATIENCE));
                granted.countDown();
            } catch (Exception e) {
                // not granted: the assertion below says so
            }
        }, "tck-rw-waiting-writer");
        writer.start();
        await().atMost(PATIENCE).until(() -> writer.getState() == Thread.State.TIMED_WAITING || writer.getState() == Thread.State.WAITING);
        Lock late = open().readWriteLock(name).readLock();
        // The writer's node or key is in the queue once its thread waits; a reader behind it does not jump it.
        await().atMost(PATIENCE).until(() -> late.tryAcquire(Duration.ofMillis(300)).map(held -> {
            held.close();
            return false;
        }).orElse(true));
        first.close();
        assertThat(granted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).as("the waiting writer, once the first reader left").isTrue();
        try (HeldLock writing = written.get()) {
            assertThat(late.tryAcquire(Duration.ofMillis(100))).as("the late reader while the writer holds").isEmpty();
            assertThat(writing.isHeld()).isTrue();
        }
        writer.join(PATIENCE.toMillis());
    }

    @Test
    void aReaderDoesNotUpgradeAndNothingIsReentrant() throws Exception {
        ReadWriteLock lock = open().readWriteLock(unique("rw"));
        try (HeldLock reading = lock.readLock().acquire(PATIENCE)) {
            assertThat(lock.writeLock().tryAcquire(Duration.ofMillis(100))).as("the write lock of a connection that reads").isEmpty();
            try (HeldLock again = lock.readLock().acquire(PATIENCE)) {
                assertThat(again.isHeld() && reading.isHeld()).as("a second reader of the same connection").isTrue();
            }
        }
        try (HeldLock writing = lock.writeLock().acquire(PATIENCE)) {
            assertThat(lock.readLock().tryAcquire(Duration.ofMillis(100))).as("a read by the connection that writes").isEmpty();
            assertThat(writing.isHeld()).isTrue();
        }
    }

    @Test
    void aLostWriteLockIsKnownToItsHolderBeforeAReaderIsGrantedIt() throws Exception {
        List<Fault> faults = injectableFaults();
        if (faults.isEmpty()) {
            return;
        }
        int early = grantedWhileTheLostHolderBelievedItHeld("rw", faults, (portal, name) -> portal.readWriteLock(name).writeLock().acquire(PATIENCE),
                (portal, name) -> portal.readWriteLock(name).readLock().acquire(PATIENCE));
        figure("faults", faults.toString());
        figure("grantedWhileTheWriterBelievedItHeld", early);
        assertThat(early).isZero();
    }

    @Test
    void theWriteLockGuardsWrites() throws Exception {
        if (!declares(Guarantee.KV_TRANSACTIONS)) {
            notApplicable("the driver does not declare KV_TRANSACTIONS: there is no write for the lock to guard");
            return;
        }
        Portal portal = open();
        String key = unique("rw-guarded") + "/value";
        HeldLock writing = portal.readWriteLock(unique("rw")).writeLock().acquire(PATIENCE);
        assertThat(portal.kvStore().transaction().put(key, new byte[] {1}).guardedBy(writing).commit().committed()).isTrue();
        writing.close();
        assertThatThrownBy(() -> portal.kvStore().transaction().put(key, new byte[] {2}).guardedBy(writing).commit())
                .isInstanceOf(io.cloudportal.InvalidArgumentException.class).hasMessageContaining("released");
    }
}
