package io.cloudportal.examples;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvEvent;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Configuration with a watch: an application reads its settings from the KV store at start and
 * reacts when an operator changes one, without a restart.
 *
 * <pre>mvn -q -pl examples exec:java -Dexec.mainClass=io.cloudportal.examples.ConfigExample</pre>
 */
public final class ConfigExample {

    private static final String PREFIX = "shop/checkout/";

    private ConfigExample() {
    }

    /**
     * Runs the example on the configured coordination backend (an embedded ZooKeeper if none).
     *
     * @param args unused
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Transcript out = Transcript.console();
        try (Backend backend = Backend.coordination(out)) {
            run(backend::connect, out);
        }
    }

    /**
     * The example itself.
     *
     * @param connect opens a connection, as one process of the system would
     * @param out where the example says what happens
     * @throws Exception if a step fails
     */
    public static void run(Supplier<Portal> connect, Transcript out) throws Exception {
        try (Portal operator = connect.get(); Portal app = connect.get()) {
            operator.kvStore().put(PREFIX + "timeout", bytes("2s"));
            operator.kvStore().put(PREFIX + "retries", bytes("3"));

            // Watch first, then read: a change made between the two is then seen twice rather than missed.
            Map<String, String> settings = new ConcurrentHashMap<>();
            CountDownLatch newTimeout = new CountDownLatch(1);
            try (Watch ignored = app.kvStore().watch(PREFIX, event -> {
                String name = event.key().substring(PREFIX.length());
                if (event.type() == KvEvent.Type.PUT) {
                    String value = event.value().orElseThrow().valueAsString();
                    String before = settings.put(name, value);
                    if (!value.equals(before)) {
                        out.say("app reacts: %s is now %s (was %s)", name, value, before);
                    }
                    if (name.equals("timeout") && value.equals("5s")) {
                        newTimeout.countDown();
                    }
                } else if (event.type() == KvEvent.Type.DELETE) {
                    settings.remove(name);
                    out.say("app reacts: %s was removed, back to its default", name);
                }
                // A RESYNC (the watch could not resume after a long disconnect) would mean: read the prefix again.
            })) {
                for (KeyValue setting : app.kvStore().list(PREFIX)) {
                    settings.put(setting.key().substring(PREFIX.length()), setting.valueAsString());
                }
                out.say("app starts with timeout=%s and retries=%s", settings.get("timeout"), settings.get("retries"));

                operator.kvStore().put(PREFIX + "timeout", bytes("5s"));
                out.say("operator sets timeout to 5s");
                if (!newTimeout.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("waited 30 s for the app to see the new timeout");
                }
                out.say("app now runs with timeout=%s and retries=%s", settings.get("timeout"), settings.get("retries"));
            }
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
