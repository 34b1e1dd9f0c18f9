package io.cloudportal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.Capabilities;
import io.cloudportal.ConfigurationException;
import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DriverRegistryTest {

    @Test
    void aRegistryBuiltByHandServesOnlyItsDrivers() {
        DriverRegistry registry = DriverRegistry.of(new RecordingDriver());
        assertThat(registry.byName()).containsOnlyKeys("recording");
        assertThat(registry.forScheme("recording")).isInstanceOf(RecordingDriver.class);
        assertThatThrownBy(() -> registry.forScheme("twice")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no driver on the classpath serves scheme 'twice'").hasMessageContaining("found drivers for [recording]");
        try (Portal portal = Connector.connect(registry, "recording://h:1/ns", Map.of())) {
            assertThatThrownBy(portal::kvStore).isInstanceOf(UnsupportedFacilityException.class)
                    .hasMessageContaining("drivers that do: none on this classpath");
        }
    }

    @Test
    void theProvidersOfAFacilityAreComputedFromTheLoadedDriversWithTheirArtifacts() {
        RecordingDriver locking = new RecordingDriver() {
            @Override
            public String name() {
                return "locking";
            }

            @Override
            public String artifact() {
                return "io.example:portal-locking";
            }

            @Override
            public Capabilities capabilities() {
                return new Capabilities(EnumSet.of(Facility.LOCK), Set.of());
            }
        };
        assertThat(DriverRegistry.of(new RecordingDriver()).providersOf(Facility.LOCK)).startsWith("none on this classpath");
        assertThat(DriverRegistry.of(new RecordingDriver(), locking).providersOf(Facility.LOCK)).isEqualTo("locking (io.example:portal-locking)");
    }

    @Test
    void theDriversOfAClassLoaderAreFoundOnce() {
        assertThat(DriverRegistry.current()).isSameAs(DriverRegistry.current());
        assertThat(DriverRegistry.current().byName()).containsKey("recording");
    }
}
