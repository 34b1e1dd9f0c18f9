package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.registry.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Proves that no secret reaches a log line, a {@code toString()} or an exception message: a child
 * JVM logs everything, Portal's and the vendor clients' (SLF4J at TRACE, java.util.logging at ALL,
 * both on standard error), while it connects with credentials, uses each facility its driver
 * provides, and then connects with wrong credentials; its exceptions are printed with their
 * causes. The parent reads all of it and looks for the secrets.
 */
public final class SecretsProbe {

    private SecretsProbe() {
    }

    /**
     * Runs the probe and asserts that it worked and that no secret appears in what it printed.
     *
     * @param url a URL (with its options) whose credentials work
     * @param wrongUrl a URL whose credentials the server refuses
     * @param secrets the passwords, tokens or keys that must appear nowhere
     * @return everything the child printed, for further checks
     * @throws Exception if the child cannot run
     */
    public static String assertNoSecretInAnyLogLine(String url, String wrongUrl, List<String> secrets) throws Exception {
        return assertNoSecretInAnyLogLine(url, wrongUrl, secrets, List.of());
    }

    /**
     * Runs the probe, as {@link #assertNoSecretInAnyLogLine(String, String, List)}, for a client that
     * logs to files of its own under its home directory as well (RocketMQ's writes
     * {@code ~/logs/rocketmqlogs}): the child gets a home of its own, and every file there is read too.
     *
     * @param url a URL (with its options) whose credentials work
     * @param wrongUrl a URL whose credentials the server refuses, or null where no server here can refuse them
     * @param secrets the passwords, tokens or keys that must appear nowhere
     * @param jvmOptions extra options for the child JVM, e.g. a vendor client's log level
     * @return everything the child printed and wrote under its home, for further checks
     * @throws Exception if the child cannot run
     */
    public static String assertNoSecretInAnyLogLine(String url, String wrongUrl, List<String> secrets, List<String> jvmOptions)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path home = Files.createTempDirectory("portal-secrets-probe");
        List<String> command = new ArrayList<>(List.of(java, "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                "-Dorg.slf4j.simpleLogger.showDateTime=false", "-Duser.home=" + home));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SecretsProbe.class.getName(), url,
                wrongUrl == null ? "-" : wrongUrl));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = child.getInputStream().readAllBytes();
        if (!child.waitFor(120, TimeUnit.SECONDS)) {
            child.destroyForcibly();
        }
        StringBuilder all = new StringBuilder(new String(output, StandardCharsets.UTF_8));
        try (var files = Files.walk(home)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                all.append("\n--- ").append(home.relativize(file)).append('\n').append(Files.readString(file,
                        StandardCharsets.ISO_8859_1));
            }
        }
        String printed = all.toString();
        String tail = printed.length() > 4000 ? printed.substring(printed.length() - 4000) : printed;
        assertThat(printed).as("the probe used the connection (last output: %s)", tail).contains("PROBE USED");
        if (wrongUrl != null) {
            assertThat(printed).as("the wrong credentials were refused (last output: %s)", tail).contains("PROBE REFUSED");
        }
        assertThat(printed).as("the vendor client logged at TRACE or DEBUG, so the capture works").containsAnyOf(" TRACE ", " DEBUG ");
        for (String secret : secrets) {
            int at = printed.indexOf(secret);
            assertThat(at).as("a secret appears in the logs, near: %s",
                    at < 0 ? "" : printed.substring(Math.max(0, at - 300), Math.min(printed.length(), at + 100))).isNegative();
        }
        return printed;
    }

    /**
     * The child's program.
     *
     * @param args the working URL and the URL with wrong credentials
     * @throws Exception if the probe cannot run
     */
    public static void main(String[] args) throws Exception {
        Logger root = Logger.getLogger("");
        root.setLevel(Level.ALL);
        for (var handler : root.getHandlers()) {
            root.removeHandler(handler);
        }
        ConsoleHandler everything = new ConsoleHandler();
        everything.setLevel(Level.ALL);
        root.addHandler(everything);

        String name = "secrets-" + UUID.randomUUID().toString().substring(0, 8);
        int status = 0;
        try {
            try (Portal portal = Portal.connect(args[0])) {
                use(portal, name);
                System.out.println("PROBE USED " + portal);
            }
            if (!args[1].equals("-")) {
                connectWithWrongCredentials(args[1], name);
            }
        } catch (Exception | Error failed) {
            failed.printStackTrace(System.out);
            status = 1;
        }
        System.out.flush();
        // The parent reads until this process ends: a client thread left running must not keep it waiting.
        System.exit(status);
    }

    private static void connectWithWrongCredentials(String url, String name) {
        Throwable refused = refusal(url, name, wrong -> System.out.println("PROBE CONNECTED " + wrong));
        if (refused == null) {
            System.out.println("PROBE NOT REFUSED");
        } else {
            System.out.println("PROBE REFUSED " + refused.getClass().getSimpleName() + ": " + refused.getMessage());
            refused.printStackTrace(System.out);
        }
    }

    /**
     * Connects with credentials the server should refuse and uses the connection the way that makes
     * each kind of server refuse them: some refuse the connection, some admit anyone and refuse what
     * is not theirs (ZooKeeper's digest ACLs: the key {@code name/k} was written with the right
     * credentials), some check credentials on the first request (RocketMQ's signature).
     *
     * @param url a URL with wrong credentials
     * @param name the name {@link #use(Portal, String)} wrote with the right ones
     * @param connected told of the connection if the server admitted it
     * @return what refused them (a failed future's cause, not the future's wrapper), or null if nothing did
     */
    static Throwable refusal(String url, String name, java.util.function.Consumer<Portal> connected) {
        try (Portal wrong = Portal.connect(url)) {
            connected.accept(wrong);
            if (wrong.capabilities().provides(Facility.KV_STORE)) {
                wrong.kvStore().get(name + "/k");
            }
            if (wrong.capabilities().provides(Facility.PUBLISHER)) {
                wrong.publisher().publish(Message.of(name, "k", "v")).get(30, TimeUnit.SECONDS);
            }
            return null;
        } catch (RuntimeException | java.util.concurrent.TimeoutException e) {
            return e;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() != null ? e.getCause() : e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /**
     * Uses every facility the connection provides once, writing the key {@code name/k}.
     *
     * @param portal the connection
     * @param name a name no other test uses
     * @throws Exception if a facility fails
     */
    static void use(Portal portal, String name) throws Exception {
        Duration patience = Duration.ofSeconds(30);
        if (portal.capabilities().provides(Facility.KV_STORE)) {
            portal.kvStore().put(name + "/k", new byte[] {1});
            portal.kvStore().get(name + "/k");
        }
        if (portal.capabilities().provides(Facility.LOCK)) {
            try (HeldLock held = portal.lock(name).acquire(patience)) {
                held.ensureHeld();
            }
        }
        if (portal.capabilities().provides(Facility.REGISTRY)) {
            portal.registry().register(ServiceInstance.of(name, "i", "h", 80)).close();
        }
        if (portal.capabilities().provides(Facility.SUBSCRIBER) && portal.capabilities().provides(Facility.PUBLISHER)) {
            CountDownLatch received = new CountDownLatch(1);
            List<Subscription> subscriptions = new ArrayList<>();
            SubscribeOptions options = portal.capabilities().gives(Guarantee.CONSUMER_GROUPS)
                    ? SubscribeOptions.group(name, "g") : SubscribeOptions.broadcast(name);
            subscriptions.add(portal.subscriber().subscribe(options, delivery -> received.countDown()));
            portal.publisher().publish(Message.of(name, "k", "v")).get(patience.toSeconds(), TimeUnit.SECONDS);
            if (!received.await(patience.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the probe's message did not arrive");
            }
            for (Subscription subscription : subscriptions) {
                subscription.close();
            }
        }
    }
}
