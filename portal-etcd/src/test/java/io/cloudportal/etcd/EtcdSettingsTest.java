package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Portal;
import org.junit.jupiter.api.Test;

/** What an etcd URL may say, checked before any connection is attempted (port 1 has no server behind it). */
class EtcdSettingsTest {

    @Test
    void aHostWithoutAPortIsRejectedNamingTheHost() {
        assertThatThrownBy(() -> Portal.connect("etcd://localhost/app"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("host 'localhost'").hasMessageContaining("host:port");
    }

    @Test
    void aUserWithoutAPasswordIsRejectedWithoutShowingAnything() {
        assertThatThrownBy(() -> Portal.connect("etcd://127.0.0.1:1?user=alice"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the password is missing");
    }

    @Test
    void theLeaseTtlMustLeaveRoomForRenewals() {
        assertThatThrownBy(() -> Portal.connect("etcd://127.0.0.1:1?leaseTtl=1s"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("leaseTtl").hasMessageContaining("between 2s and 1h");
    }

    @Test
    void tlsFilesMustExistAndComeInPairs() {
        assertThatThrownBy(() -> Portal.connect("etcd://127.0.0.1:1?tlsCa=/nonexistent/ca.pem"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("tlsCa").hasMessageContaining("/nonexistent/ca.pem");
        assertThatThrownBy(() -> Portal.connect("etcd://127.0.0.1:1?tlsCert=" + System.getProperty("java.home") + "/release"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'tlsKey' is missing");
    }

    @Test
    void anUnknownOptionIsRejected() {
        assertThatThrownBy(() -> Portal.connect("etcd://127.0.0.1:1?leaseTTL=10s"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("leaseTTL");
    }

    @Test
    void aPasswordNeverShowsInTheErrorOfAFailedConnection() {
        assertThatThrownBy(() -> Portal.connect("etcd://alice:s3cret-pw@127.0.0.1:1/app?connectTimeout=300ms"))
                .satisfies(e -> assertThat(e.toString()).doesNotContain("s3cret-pw"))
                .satisfies(e -> assertThat(String.valueOf(e.getCause())).doesNotContain("s3cret-pw"));
    }
}
