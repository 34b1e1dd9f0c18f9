package io.cloudportal.examples;

/**
 * Every example in turn, on the configured backends or on embedded ones (ZooKeeper for
 * coordination, Kafka for messaging), printing what happens.
 *
 * <pre>scripts/tour</pre>
 */
public final class Tour {

    private Tour() {
    }

    /**
     * Runs the tour.
     *
     * @param args unused
     * @throws Exception if an example fails
     */
    public static void main(String[] args) throws Exception {
        run(Transcript.console());
    }

    /**
     * Runs every example, each with its own connections, on one coordination and one messaging backend.
     *
     * @param out where the examples say what happens
     * @throws Exception if an example fails
     */
    public static void run(Transcript out) throws Exception {
        out.section("Backends");
        try (Backend coordination = Backend.coordination(out); Backend messaging = Backend.messaging(out)) {
            out.section("Registry: two orders instances, a client spreading calls, one instance leaving");
            RegistryExample.run(coordination::connect, out);
            out.section("Lock: four workers, one stock count, fencing tokens");
            LockExample.run(coordination::connect, out);
            out.section("Jobs: three workers, two slots of a semaphore, results guarded by the permit");
            JobRunnerExample.run(coordination::connect, out);
            out.section("Batch: five workers count down a latch and tally their rows in a counter");
            BatchJobExample.run(coordination::connect, out);
            out.section("Leader: three candidates, the leader stops, another takes over");
            LeaderExample.run(coordination::connect, out);
            out.section("Config: an application reacting to a changed setting");
            ConfigExample.run(coordination::connect, out);
            out.section("Pub/sub: a consumer group, a broadcast listener, a dead letter");
            PubSubExample.run(messaging::connect, out);
            out.section("Order pipeline: request-reply, bulk publish of JSON orders, batch loading, a replay");
            OrderPipelineExample.run(messaging::connect, out);
        }
        out.section("Done");
    }
}
