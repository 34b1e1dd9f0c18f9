package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.Portal;
import io.cloudportal.PortalException;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.TestCertificates;
import io.cloudportal.lock.HeldLock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd serving clients over TLS with client certificates required: the options tlsCa, tlsCert and
 * tlsKey reach it, and a client without a certificate is refused. The certificates are made with
 * openssl for this run ({@link TestCertificates}).
 */
class EtcdTlsIT {

    private static TestCertificates certificates;
    private static EmbeddedEtcd server;

    @BeforeAll
    static void startWithTls() {
        certificates = TestCertificates.create();
        server = EmbeddedEtcd.withTls(certificates.serverCertificate(), certificates.serverKey(), certificates.ca());
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aClientWithTheRightCertificatesUsesEveryFacility() throws Exception {
        String url = server.url() + "/tls?tlsCa=" + certificates.ca() + "&tlsCert=" + certificates.clientCertificate()
                + "&tlsKey=" + certificates.clientKey();
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
        assertThatThrownBy(() -> Portal.connect(server.url() + "/tls?connectTimeout=3s&tlsCa=" + certificates.ca()))
                .isInstanceOf(PortalException.class);
    }
}
