package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.lock.HeldLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd serving clients over TLS with client certificates required: the options tlsCa, tlsCert and
 * tlsKey reach it, and a client without a certificate is refused. The certificates are made with
 * openssl for this run.
 */
class EtcdTlsIT {

    private static Path dir;
    private static EmbeddedEtcd server;

    @BeforeAll
    static void startWithTls() throws Exception {
        dir = Files.createTempDirectory("portal-etcd-tls");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=portal-test-ca");
        signed("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
        signed("client", "extendedKeyUsage=clientAuth\n");
        server = EmbeddedEtcd.withTls(dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("ca.pem"));
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void signed(String name, String extensions) throws Exception {
        Files.writeString(dir.resolve(name + ".ext"), extensions);
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private static void openssl(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("openssl %s: %s", String.join(" ", arguments), output).isZero();
    }

    @Test
    void aClientWithTheRightCertificatesUsesEveryFacility() throws Exception {
        String url = server.url() + "/tls?tlsCa=" + dir.resolve("ca.pem") + "&tlsCert=" + dir.resolve("client.pem")
                + "&tlsKey=" + dir.resolve("client.key");
        try (Portal portal = Portal.connect(url)) {
            portal.kvStore().put("app/setting", "on".getBytes(StandardCharsets.UTF_8));
            assertThat(portal.kvStore().get("app/setting")).isPresent();
            try (HeldLock held = portal.lock("tls-lock").acquire(Duration.ofSeconds(10))) {
                assertThat(held.isHeld()).isTrue();
            }
        }
    }

    @Test
    void aClientWithoutACertificateIsRefused() {
        assertThatThrownBy(() -> Portal.connect(server.url() + "/tls?connectTimeout=3s&tlsCa=" + dir.resolve("ca.pem")))
                .isInstanceOf(PortalException.class);
    }
}
