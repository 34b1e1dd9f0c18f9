package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and two certificates it signed, made with {@code openssl} in a new
 * temporary directory for one test run: {@code server.pem}/{@code server.key} (valid for
 * 127.0.0.1, for server and client authentication) and {@code client.pem}/{@code client.key}.
 * Every file is PEM.
 */
public final class TestCertificates {

    private final Path directory;

    private TestCertificates(Path directory) {
        this.directory = directory;
    }

    /**
     * Makes the CA and the two certificates, valid for two days.
     *
     * @return the certificates
     * @throws IllegalStateException if openssl is missing or fails
     */
    public static TestCertificates create() {
        try {
            TestCertificates made = new TestCertificates(Files.createTempDirectory("portal-tls"));
            made.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                    "-subj", "/CN=portal-test-ca");
            made.signed("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
            made.signed("client", "extendedKeyUsage=clientAuth\n");
            return made;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make test certificates", e);
        }
    }

    /**
     * The CA's certificate.
     *
     * @return its file
     */
    public Path ca() {
        return directory.resolve("ca.pem");
    }

    /**
     * The server's certificate.
     *
     * @return its file
     */
    public Path serverCertificate() {
        return directory.resolve("server.pem");
    }

    /**
     * The server's private key.
     *
     * @return its file
     */
    public Path serverKey() {
        return directory.resolve("server.key");
    }

    /**
     * The client's certificate.
     *
     * @return its file
     */
    public Path clientCertificate() {
        return directory.resolve("client.pem");
    }

    /**
     * The client's private key.
     *
     * @return its file
     */
    public Path clientKey() {
        return directory.resolve("client.key");
    }

    private void signed(String name, String extensions) throws IOException {
        Files.writeString(directory.resolve(name + ".ext"), extensions);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl " + String.join(" ", arguments) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running openssl", e);
        }
    }
}
