package io.cloudportal.tck;

import java.util.List;
import java.util.Objects;

/**
 * A server that checks credentials, as the credentials contract needs it: a URL whose credentials
 * it accepts, one it refuses, and every secret in either, which must appear in no log line,
 * {@code toString()} or exception message.
 *
 * @param url a URL (with its options) whose credentials work
 * @param wrongUrl the same server with credentials it refuses (a wrong password, a key it does not admit)
 * @param secrets the passwords, tokens or keys in both URLs
 * @param probeJvmOptions options for the secrets probe's child JVM, e.g. a vendor client's own log level
 * @param probeShows a text the probe's output must hold, proof that a vendor client's own log was read; empty for none
 */
public record Credentials(String url, String wrongUrl, List<String> secrets, List<String> probeJvmOptions, String probeShows) {

    /**
     * Checks the parts.
     *
     * @param url a URL whose credentials work
     * @param wrongUrl a URL whose credentials the server refuses
     * @param secrets the secrets in both
     * @param probeJvmOptions options for the probe's child JVM
     * @param probeShows a text the probe's output must hold, or empty
     */
    public Credentials {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(wrongUrl, "wrongUrl");
        secrets = List.copyOf(secrets);
        probeJvmOptions = List.copyOf(probeJvmOptions);
        Objects.requireNonNull(probeShows, "probeShows");
        if (secrets.isEmpty()) {
            throw new IllegalArgumentException("name at least one secret the probe must not find");
        }
    }

    /**
     * Credentials for a probe that needs no JVM options.
     *
     * @param url a URL whose credentials work
     * @param wrongUrl a URL whose credentials the server refuses
     * @param secrets the secrets in both
     * @return the credentials
     */
    public static Credentials of(String url, String wrongUrl, String... secrets) {
        return new Credentials(url, wrongUrl, List.of(secrets), List.of(), "");
    }

    /**
     * The same credentials for a vendor client that logs on its own terms: options that make it log
     * everything in the probe's child JVM, and a text of its log that proves the probe read it.
     *
     * @param shows e.g. the abbreviated package of the client's loggers
     * @param jvmOptions e.g. {@code -Drocketmq.log.level=trace}
     * @return new credentials
     */
    public Credentials withVendorLog(String shows, String... jvmOptions) {
        return new Credentials(url, wrongUrl, secrets, List.of(jvmOptions), shows);
    }

    @Override
    public String toString() {
        // A failing assertion prints its subject: never the secrets.
        return "Credentials[" + secrets.size() + " secrets]";
    }
}
