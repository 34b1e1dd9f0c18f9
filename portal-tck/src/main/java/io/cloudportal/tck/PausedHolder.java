package io.cloudportal.tck;

import io.cloudportal.Portal;
import io.cloudportal.lock.HeldLock;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A lock holder in a child JVM, so that a contract can pause it with {@code SIGSTOP} as a long GC
 * pause or a stalled VM pauses a real holder. The child acquires the lock, says {@code HELD}, then
 * samples every 10 ms; when it sees its own clock jump by more than a second it reports at once
 * what {@link HeldLock#isHeld()} says: {@code RESUMED true|false <gap ms>}. Its standard output
 * is this protocol; nothing else is printed there.
 */
final class PausedHolder implements AutoCloseable {

    private static final long GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private PausedHolder(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("EXIT " + e);
            }
            lines.add("EXIT");
        }, "paused-holder-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a holder of the named lock on a connection to the URL, and returns once it holds it. */
    static PausedHolder start(String url, String lock, Duration patience) throws Exception {
        return start(url, lock, patience, false);
    }

    /**
     * Starts a holder as {@link #start(String, String, Duration)}; with {@code guardedWrite}, on
     * resuming it also writes {@code <lock>/fenced} in a transaction guarded by its lock, at once and
     * without asking whether it still holds it, and reports {@code GUARDED accepted} or
     * {@code GUARDED refused <exception>}.
     */
    static PausedHolder start(String url, String lock, Duration patience, boolean guardedWrite) throws Exception {
        return start(url, lock, patience, Boolean.toString(guardedWrite));
    }

    /**
     * Starts a leader in a child JVM: it joins the election of that name, says {@code HELD <term>}
     * once elected, and builds a transaction writing {@code <election>/fenced} guarded by its term;
     * on resuming it reports {@code RESUMED <isLeader> <gap ms>} and commits that transaction at
     * once ({@code GUARDED accepted} or {@code GUARDED refused <exception>}): a write that was on its
     * way when the leader stalled.
     */
    static PausedHolder startLeader(String url, String election, Duration patience) throws Exception {
        return start(url, election, patience, "leader");
    }

    private static PausedHolder start(String url, String lock, Duration patience, String mode) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"), PausedHolder.class.getName(), url, lock,
                        mode))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        PausedHolder holder = new PausedHolder(process);
        String first = holder.next(patience);
        if (first == null || !first.startsWith("HELD")) {
            holder.close();
            throw new AssertionError("the child holder did not acquire lock '" + lock + "': " + first);
        }
        return holder;
    }

    /** The next line the child printed, or null if none came in time. */
    String next(Duration patience) throws InterruptedException {
        return lines.poll(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static void lead(String url, String election) throws Exception {
        try (Portal portal = Portal.connect(url); io.cloudportal.leader.Candidacy candidacy = portal.leaderElection(election).join("paused", e -> { })) {
            if (!candidacy.awaitLeadership(Duration.ofSeconds(60))) {
                System.out.println("NOT ELECTED");
                System.out.flush();
                return;
            }
            io.cloudportal.kv.KvTransaction inFlight = portal.kvStore().transaction()
                    .put(election + "/fenced", "stale".getBytes(StandardCharsets.UTF_8)).guardedBy(candidacy);
            System.out.println("HELD " + candidacy.term().orElse(-1L));
            System.out.flush();
            long gap = awaitResumed();
            System.out.println("RESUMED " + candidacy.isLeader() + " " + gap);
            String outcome;
            try {
                inFlight.commit();
                outcome = "accepted";
            } catch (RuntimeException refused) {
                outcome = "refused " + refused.getClass().getSimpleName();
            }
            System.out.println("GUARDED " + outcome);
            System.out.flush();
        }
    }

    /** Samples its own clock every 10 ms until it jumps by more than a second (the process was stopped); the jump in ms. */
    private static long awaitResumed() throws InterruptedException {
        long last = System.nanoTime();
        while (true) {
            Thread.sleep(10);
            long now = System.nanoTime();
            if (now - last > GAP_NANOS) {
                return TimeUnit.NANOSECONDS.toMillis(now - last);
            }
            last = now;
        }
    }

    private static String guardedWrite(Portal portal, HeldLock held, String key) {
        try {
            portal.kvStore().transaction().put(key, "stale".getBytes(StandardCharsets.UTF_8)).guardedBy(held).commit();
            return "accepted";
        } catch (RuntimeException refused) {
            return "refused " + refused.getClass().getSimpleName();
        }
    }

    /**
     * The child's program.
     *
     * @param args the URL, the lock name, and whether to write guarded on resuming
     * @throws Exception if it cannot hold the lock
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 2 && args[2].equals("leader")) {
            lead(args[0], args[1]);
            return;
        }
        try (Portal portal = Portal.connect(args[0]); HeldLock held = portal.lock(args[1]).acquire(Duration.ofSeconds(60))) {
            System.out.println("HELD " + held.fencingToken().value());
            System.out.flush();
            while (true) {
                long gap = awaitResumed();
                System.out.println("RESUMED " + held.isHeld() + " " + gap);
                System.out.flush();
                if (args.length > 2 && Boolean.parseBoolean(args[2])) {
                    System.out.println("GUARDED " + guardedWrite(portal, held, args[1] + "/fenced"));
                    System.out.flush();
                }
            }
        }
    }
}
