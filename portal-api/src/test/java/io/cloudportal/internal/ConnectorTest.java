package io.cloudportal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnectorTest {

    @Test
    void optionsComeFromTheQueryAndBesideTheUrlWhichWins() {
        try (Portal portal = Portal.connect("recording://h1:1,h2:2/ns?sessionTimeout=5s&operationTimeout=3s",
                Map.of("sessionTimeout", "9s"))) {
            assertThat(RecordingDriver.lastContext.options().duration("sessionTimeout", null)).isEqualTo(Duration.ofSeconds(9));
            assertThat(RecordingDriver.lastContext.operationTimeout()).isEqualTo(Duration.ofSeconds(3));
            assertThat(RecordingDriver.lastContext.url().path()).isEqualTo("ns");
            assertThat(portal.driverName()).isEqualTo("recording");
        }
    }

    @Test
    void propertiesGiveTheUrlAndOptionsUnderAPrefixAndTheEnvironmentOverridesThem() {
        Properties properties = new Properties();
        properties.setProperty("registry.url", "recording://from-file:1");
        properties.setProperty("registry.sessionTimeout", "5s");
        properties.setProperty("other.url", "recording://not-mine:1");
        Map<String, String> environment = Map.of(
                "PORTAL_REGISTRY_URL", "recording://from-env:1",
                "PORTAL_REGISTRY_SESSION_TIMEOUT", "7s",
                "PORTAL_REGISTRY_PASSWORD", "hunter2");
        try (Portal portal = Connector.connect(properties, "registry", environment)) {
            assertThat(RecordingDriver.lastContext.url().hosts()).containsExactly("from-env:1");
            assertThat(RecordingDriver.lastContext.options().duration("sessionTimeout", null)).isEqualTo(Duration.ofSeconds(7));
            assertThat(RecordingDriver.lastContext.options().get("password")).contains("hunter2");
            assertThat(portal.toString()).doesNotContain("hunter2");
            assertThat(RecordingDriver.lastContext.options().toString()).doesNotContain("hunter2");
        }
    }

    @Test
    void optionsQualifiedWithADriverNameApplyToThatDriverOnlyAndWinOverPlainOnes() {
        Properties properties = new Properties();
        properties.setProperty("registry.url", "recording://h:1");
        properties.setProperty("registry.sessionTimeout", "5s");
        properties.setProperty("registry.recording.sessionTimeout", "9s");
        properties.setProperty("registry.etcd.leaseTtl", "10s");
        properties.setProperty("registry.zookeeper.connectionTimeout", "3s");
        try (Portal portal = Connector.connect(properties, "registry", Map.of())) {
            assertThat(RecordingDriver.lastContext.options().duration("sessionTimeout", null)).isEqualTo(Duration.ofSeconds(9));
            assertThat(RecordingDriver.lastContext.options().get("leaseTtl")).isEmpty();
        }
    }

    @Test
    void aTypoInAnOptionQualifiedWithTheDriversNameFails() {
        assertThatThrownBy(() -> Portal.connect("recording://h:1", Map.of("recording.sesionTimeout", "9s")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("recording.sesionTimeout");
    }

    @Test
    void aMissingUrlSaysWhereToPutIt() {
        assertThatThrownBy(() -> Connector.connect(new Properties(), "kv", Map.of()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'kv.url'").hasMessageContaining("'PORTAL_KV_URL'");
    }

    @Test
    void snakeCaseEnvironmentNamesBecomeCamelCaseOptions() {
        assertThat(Connector.camelCase("SESSION_TIMEOUT")).isEqualTo("sessionTimeout");
        assertThat(Connector.camelCase("PASSWORD")).isEqualTo("password");
    }

    @Test
    void anUnknownOptionIsRejectedNamingTheOnesAccepted() {
        assertThatThrownBy(() -> Portal.connect("recording://h?sesionTimeout=5s"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("option 'sesionTimeout' is not known to the recording driver; it accepts "
                        + "[operationTimeout, password, sessionTimeout, user]");
    }

    @Test
    void aSchemeWithoutADriverNamesTheArtifactToAdd() {
        assertThatThrownBy(() -> Portal.connect("zookeeper://localhost:2181"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("scheme 'zookeeper'").hasMessageContaining("io.cloudportal:portal-zookeeper");
        assertThatThrownBy(() -> Portal.connect("nosuch://x")).hasMessageContaining("known schemes are");
    }

    @Test
    void twoDriversForOneSchemeAreAnError() {
        assertThatThrownBy(() -> Portal.connect("twice://x"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("several drivers serve scheme 'twice'")
                .hasMessageContaining("RecordingDriver$First").hasMessageContaining("RecordingDriver$Second");
    }

    @Test
    void aFacilityTheDriverLacksFailsAtOnceNamingTheDriversThatHaveIt() {
        try (Portal portal = Portal.connect("recording://x")) {
            assertThatThrownBy(portal::kvStore).isInstanceOf(UnsupportedFacilityException.class)
                    .hasMessageContaining("the recording driver provides no KV_STORE")
                    .hasMessageContaining("drivers that do: none on this classpath");
            assertThatThrownBy(portal::publisher).hasMessageContaining("the recording driver provides no PUBLISHER");
        }
    }

    @Test
    void aPasswordInTheUrlNeverAppearsInToString() {
        try (Portal portal = Portal.connect("recording://app:hunter2@h:1/ns")) {
            assertThat(portal.toString()).contains("app:****@h:1").doesNotContain("hunter2");
        }
    }
}
