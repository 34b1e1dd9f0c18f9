package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Facility;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.Portal;
import io.cloudportal.kv.KvStore;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.registry.ServiceInstance;
import io.cloudportal.spi.Limits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Bad input fails before any I/O, with an exception that names the value and the rule, and
 * nothing is half-written. The driver's declared {@link Limits} define "too long" and "too large".
 */
public abstract class BadInputContract extends ContractSupport {

    private boolean provides(Facility facility) {
        return capabilities().provides(facility);
    }

    private static void rejected(ThrowingCallable call, String... mentioned) {
        var thrown = assertThatThrownBy(call).isInstanceOf(InvalidArgumentException.class);
        for (String text : mentioned) {
            thrown.hasMessageContaining(text);
        }
    }

    private void badNames(String what, Consumer<String> use) {
        int max = limits().maxNameLength();
        rejected(() -> use.accept(null), what, "null");
        rejected(() -> use.accept(""), what, "empty");
        rejected(() -> use.accept("   "), what, "empty");
        rejected(() -> use.accept("a/b"), what, "a/b", "'/'");
        rejected(() -> use.accept("tab\there"), what, "\\u0009", "control");
        rejected(() -> use.accept("n".repeat(max + 1)), what, "at most " + max);
    }

    @Test
    void badLockElectionAndServiceNamesAreRejected() {
        Portal portal = open();
        if (provides(Facility.LOCK)) {
            badNames("lock name", portal::lock);
        }
        if (provides(Facility.LEADER_ELECTION)) {
            badNames("election name", portal::leaderElection);
            badNames("candidate id", id -> portal.leaderElection(unique("e")).join(id, event -> { }));
        }
        if (provides(Facility.REGISTRY)) {
            badNames("service name", service -> portal.registry().lookup(service));
            rejected(() -> portal.registry().register(io.cloudportal.registry.ServiceInstance.of(unique("s"), "id", "h", 0)), "port", "0");
            rejected(() -> portal.registry().register(io.cloudportal.registry.ServiceInstance.of(unique("s"), "id", "", 80)), "host");
        }
        if (!provides(Facility.LOCK) && !provides(Facility.REGISTRY) && !provides(Facility.LEADER_ELECTION)) {
            notApplicable("no named coordination facility declared");
        }
    }

    /**
     * Names a backend may check differently from Portal's rule: characters outside the Basic
     * Multilingual Plane (two UTF-16 chars each), private use, specials, joiners, marks.
     */
    private static final List<String> ODD_NAMES = List.of("emoji-\uD83D\uDE00", "private-\uE000", "special-\uFFF0", "nonchar-\uFFFF",
            "joiner-a\u200Db", "rtl-\u202Eabc", "combining-e\u0301", "cjk-\u4E2D\u6587", "bom-\uFEFF", "lone-\uD800x", "space in name",
            "dots...", "percent-%41", "star-*?", "quote-'\"");

    /** Either refused before any I/O, or it works: never a vendor or JDK exception, never a bare PortalException. */
    private static void acceptedOrRefused(String what, String name, ThrowingCallable use) {
        try {
            use.call();
        } catch (InvalidArgumentException refused) {
            assertThat(refused).as("%s %s refused", what, name).hasMessageContaining(what);
        } catch (Throwable other) {
            throw new AssertionError(what + " '" + name + "' was neither refused as invalid nor usable: " + other, other);
        }
    }

    @Test
    void oddNamesAreRefusedAsInvalidOrWorkAndNoOtherExceptionEscapes() {
        Portal portal = open();
        boolean named = false;
        for (String odd : ODD_NAMES) {
            String name = unique("odd") + "-" + odd;
            if (provides(Facility.LOCK)) {
                named = true;
                acceptedOrRefused("lock name", odd, () -> portal.lock(name).tryAcquire(PATIENCE).ifPresent(HeldLock::close));
            }
            if (provides(Facility.LEADER_ELECTION)) {
                named = true;
                acceptedOrRefused("election name", odd, () -> portal.leaderElection(name).join("c", event -> { }).close());
                acceptedOrRefused("candidate id", odd, () -> portal.leaderElection(unique("odd")).join(name, event -> { }).close());
            }
            if (provides(Facility.REGISTRY)) {
                named = true;
                acceptedOrRefused("service name", odd, () -> portal.registry().register(ServiceInstance.of(name, "i", "h", 80)).close());
                acceptedOrRefused("instance id", odd, () -> portal.registry().register(ServiceInstance.of(unique("s"), name, "h", 80)).close());
            }
            if (provides(Facility.KV_STORE)) {
                named = true;
                acceptedOrRefused("key", odd, () -> {
                    portal.kvStore().put(name, new byte[] {1});
                    assertThat(portal.kvStore().get(name)).as("a key that was accepted reads back").isPresent();
                    portal.kvStore().delete(name);
                });
            }
        }
        if (!named) {
            notApplicable("no named coordination facility declared");
        }
    }

    @Test
    void badKeysAndOversizedValuesAreRejectedAndNothingIsWritten() {
        if (!provides(Facility.KV_STORE)) {
            notApplicable("KV_STORE not declared");
            return;
        }
        KvStore kv = open().kvStore();
        String root = unique("bad");
        byte[] value = {1};
        for (String key : List.of("/" + root + "/abs", root + "//x", root + "/../x", root + "/./x", root + "/trailing/", root + "/ctl\u0001")) {
            rejected(() -> kv.put(key, value), "key");
        }
        rejected(() -> kv.put(null, value), "key", "null");
        rejected(() -> kv.put("", value), "key", "empty");
        rejected(() -> kv.put(root + "/" + "k".repeat(limits().maxKeyLength()), value), "key", "at most");
        rejected(() -> kv.put(root + "/big", new byte[limits().maxValueBytes() + 1]), "value", String.valueOf(limits().maxValueBytes()));
        rejected(() -> kv.put(root + "/null", null), "value", "null");
        rejected(() -> kv.compareAndSet(root + "/cas", -1, value), "expectedVersion", "-1");
        rejected(() -> kv.list("/"), "prefix");
        rejected(() -> kv.put(root + "/ttl", value, Duration.ofSeconds(-1)), "ttl", "positive");
        rejected(() -> kv.put(root + "/ttl", value, Duration.ofMillis(10)), "ttl", "at least");
        assertThat(kv.list(root)).as("keys written by rejected calls").isEmpty();
    }

    @Test
    void badTopicsPayloadsAndOptionsAreRejectedAndNothingIsPublished() {
        if (!provides(Facility.PUBLISHER)) {
            notApplicable("PUBLISHER not declared");
            return;
        }
        Portal portal = open();
        Limits limits = limits();
        String topic = unique("bad");
        rejected(() -> portal.publisher().publish(Message.of("", new byte[1])), "topic", "empty");
        rejected(() -> portal.publisher().publish(Message.of("has space", new byte[1])), "topic", "has space", "must use");
        rejected(() -> portal.publisher().publish(Message.of("t".repeat(limits.maxTopicLength() + 1), new byte[1])), "topic", "at most");
        rejected(() -> portal.publisher().publish(Message.of(topic, new byte[limits.maxPayloadBytes() + 1])), "payload",
                String.valueOf(limits.maxPayloadBytes()));
        rejected(() -> portal.publisher().publish(null), "message", "null");
        rejected(() -> portal.publisher().publish(new Message(topic, "", new byte[1], null)), "message key", "empty");
        if (provides(Facility.SUBSCRIBER)) {
            SubscribeOptions options = SubscribeOptions.broadcast(topic);
            List<SubscribeOptions> bad = new ArrayList<>(List.of(options.withMaxAttempts(0), options.withConcurrency(0),
                    options.withRetryBackoff(Duration.ofMillis(-1)), SubscribeOptions.group(topic, "bad group")));
            for (SubscribeOptions option : bad) {
                rejected(() -> portal.subscriber().subscribe(option, d -> { }));
            }
            rejected(() -> portal.subscriber().subscribe(options, null), "handler", "null");
        }
    }

    @Test
    void badTimeoutsAreRejected() throws Exception {
        Portal portal = open();
        if (!provides(Facility.LOCK)) {
            notApplicable("LOCK not declared");
            return;
        }
        rejected(() -> portal.lock(unique("l")).acquire(Duration.ZERO), "timeout", "positive");
        rejected(() -> portal.lock(unique("l")).tryAcquire(Duration.ofSeconds(-1)), "timeout");
        rejected(() -> portal.lock(unique("l")).acquire(null), "timeout", "null");
    }

    @Test
    void malformedUrlsAndUnknownOptionsAreRejectedBeforeConnecting() {
        String url = harness().url();
        String scheme = url.substring(0, url.indexOf(':'));
        assertThatThrownBy(() -> Portal.connect("not a url")).isInstanceOf(ConfigurationException.class).hasMessageContaining("not a url");
        assertThatThrownBy(() -> Portal.connect(scheme + "://")).isInstanceOf(ConfigurationException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Portal.connect(scheme + "://a b")).isInstanceOf(ConfigurationException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> Portal.connect("nosuchscheme://host")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("nosuchscheme");
        String withTypo = url + (url.contains("?") ? "&" : "?") + "noSuchOption=1";
        assertThatThrownBy(() -> Portal.connect(withTypo)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("noSuchOption").hasMessageContaining("accepts");
        String badTimeout = url + (url.contains("?") ? "&" : "?") + "operationTimeout=5";
        assertThatThrownBy(() -> Portal.connect(badTimeout)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("operationTimeout").hasMessageContaining("15s");
    }
}
