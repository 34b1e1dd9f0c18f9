package io.cloudportal.kafka;

import io.cloudportal.Portal;
import io.cloudportal.messaging.SubscribeOptions;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A consumer-group member in a JVM of its own, so a test can kill it the way a crash does:
 * {@code Runtime.halt} inside the handler of its N-th message, after the handler's work and before
 * anything was committed. It prints {@code joined} once subscribed, then {@code handled <payload>}
 * per message.
 */
public final class GroupMemberProcess {

    private GroupMemberProcess() {
    }

    /**
     * Runs a member.
     *
     * @param args the URL, the topic, the group, and the message count after which it halts
     * @throws Exception if subscribing fails
     */
    public static void main(String[] args) throws Exception {
        String url = args[0];
        String topic = args[1];
        String group = args[2];
        int haltAfter = Integer.parseInt(args[3]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        AtomicInteger handled = new AtomicInteger();
        Portal portal = Portal.connect(url);
        portal.subscriber().subscribe(SubscribeOptions.group(topic, group), delivery -> {
            out.println("handled " + delivery.message().payloadAsString());
            if (handled.incrementAndGet() >= haltAfter) {
                out.flush();
                Runtime.getRuntime().halt(137);
            }
        });
        out.println("joined");
        new CountDownLatch(1).await();
    }
}
