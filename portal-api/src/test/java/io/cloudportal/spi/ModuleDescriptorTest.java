package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The module exports the API and the SPI, never the portable layer's implementation. */
class ModuleDescriptorTest {

    @Test
    void theModuleExportsTheApiAndTheSpiButNotInternal() throws Exception {
        Path descriptor = Path.of("target/classes/module-info.class");
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(descriptor)) {
            module = ModuleDescriptor.read(in);
        }
        assertThat(module.name()).isEqualTo("io.cloudportal.api");
        assertThat(module.exports()).extracting(ModuleDescriptor.Exports::source).containsExactlyInAnyOrder(
                "io.cloudportal", "io.cloudportal.coordination", "io.cloudportal.kv", "io.cloudportal.leader", "io.cloudportal.lock",
                "io.cloudportal.messaging", "io.cloudportal.observation", "io.cloudportal.registry", "io.cloudportal.spi");
        assertThat(module.uses()).containsExactly(PortalDriver.class.getName());
    }
}
