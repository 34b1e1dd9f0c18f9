package io.cloudportal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.spi.PortalDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Keeps docs/capabilities.md equal to what the drivers on this classpath declare in code. */
class CapabilitiesDocTest {

    private static Map<String, Map<String, String>> table() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("../docs/capabilities.md"));
        List<String> header = null;
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (String line : lines) {
            if (!line.startsWith("| ")) {
                continue;
            }
            List<String> cells = new ArrayList<>(Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::strip).toList());
            if (header == null) {
                header = cells;
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), cells.get(i));
            }
            rows.put(row.get("driver"), row);
        }
        return rows;
    }

    @Test
    void everyDriverOnTheClasspathIsDocumentedExactlyAsItDeclares() throws Exception {
        Map<String, Map<String, String>> table = table();
        int checked = 0;
        for (PortalDriver driver : ServiceLoader.load(PortalDriver.class)) {
            Map<String, String> row = table.get(driver.name());
            assertThat(row).as("a row for driver " + driver.name()).isNotNull();
            assertThat(row.get("status")).as(driver.name() + " status").isEqualTo("available");
            for (String scheme : driver.schemes()) {
                assertThat(row.get("schemes")).as(driver.name() + " schemes").contains("`" + scheme + "://`");
            }
            for (Facility facility : Facility.values()) {
                assertThat(row.get(facility.name())).as(driver.name() + " " + facility)
                        .isEqualTo(driver.capabilities().provides(facility) ? "✓" : "–");
            }
            for (Guarantee guarantee : Guarantee.values()) {
                assertThat(row.get(guarantee.name())).as(driver.name() + " " + guarantee)
                        .isEqualTo(driver.capabilities().gives(guarantee) ? "✓" : "–");
            }
            checked++;
        }
        assertThat(checked).as("drivers found on the classpath").isPositive();
    }

    @Test
    void aRowMarkedAvailableBelongsToADriverOnTheClasspath() throws Exception {
        List<String> onClasspath = new ArrayList<>();
        ServiceLoader.load(PortalDriver.class).forEach(driver -> onClasspath.add(driver.name()));
        table().forEach((driver, row) -> {
            if (row.get("status").equals("available")) {
                assertThat(onClasspath).as("driver " + driver + " is documented as available").contains(driver);
            }
        });
    }
}
