package io.cloudportal.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A server without TTL nodes gets a clear error, not a silently permanent key. */
class ZooKeeperTtlDisabledIT {

    @Test
    void aTtlPutAgainstAServerWithoutTtlNodesSaysHowToEnableThem() {
        try (Portal portal = ZooKeeperHarness.INSTANCE.connect()) {
            // The in-JVM server reads this switch on every create, as a server started without it would behave.
            System.setProperty("zookeeper.extendedTypesEnabled", "false");
            try {
                assertThatThrownBy(() -> portal.kvStore().put("ttl-off/key", new byte[] {1}, Duration.ofSeconds(5)))
                        .isInstanceOf(UnsupportedFacilityException.class)
                        .hasMessageContaining("zookeeper.extendedTypesEnabled=true");
                assertThatThrownBy(() -> portal.kvStore().transaction().put("ttl-off/key", new byte[] {1}, Duration.ofSeconds(5))
                        .put("ttl-off/other", new byte[] {2}).commit())
                        .as("a transaction's TTL put").isInstanceOf(UnsupportedFacilityException.class)
                        .hasMessageContaining("zookeeper.extendedTypesEnabled=true");
            } finally {
                System.setProperty("zookeeper.extendedTypesEnabled", "true");
            }
            assertThat(portal.kvStore().get("ttl-off/key")).as("nothing written by the failed put").isEmpty();
            assertThat(portal.kvStore().get("ttl-off/other")).as("nothing written by the failed transaction").isEmpty();
        }
    }
}
