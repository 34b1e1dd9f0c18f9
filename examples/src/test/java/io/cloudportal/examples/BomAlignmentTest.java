package io.cloudportal.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The parent POM is the one place for versions; portal-bom mirrors the vendor-client ones for
 * consumers (it has no parent, so it pins nothing else). This keeps the mirror true.
 */
class BomAlignmentTest {

    private static final Pattern PROPERTY = Pattern.compile("<([a-z][a-z0-9.-]*\\.version)>([^<]+)</\\1>");

    private static Map<String, String> versionProperties(Path pom) throws Exception {
        Map<String, String> versions = new LinkedHashMap<>();
        Matcher matcher = PROPERTY.matcher(Files.readString(pom));
        while (matcher.find()) {
            versions.put(matcher.group(1), matcher.group(2));
        }
        return versions;
    }

    @Test
    void everyVersionTheBomPinsEqualsTheParents() throws Exception {
        Map<String, String> parent = versionProperties(Path.of("../pom.xml"));
        Map<String, String> bom = versionProperties(Path.of("../portal-bom/pom.xml"));
        assertThat(bom).isNotEmpty();
        assertThat(parent).containsAllEntriesOf(bom);
    }

    @Test
    void theBomHasTheProjectVersionAndEveryPortalModule() throws Exception {
        String parent = Files.readString(Path.of("../pom.xml"));
        String bom = Files.readString(Path.of("../portal-bom/pom.xml"));
        Matcher version = Pattern.compile("<artifactId>portal-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(parent);
        assertThat(version.find()).isTrue();
        assertThat(bom).contains("<version>" + version.group(1) + "</version>");
        Matcher module = Pattern.compile("<module>(portal-[a-z]+)</module>").matcher(parent);
        while (module.find()) {
            if (!module.group(1).equals("portal-bom")) {
                assertThat(bom).as("portal-bom lists " + module.group(1)).contains("<artifactId>" + module.group(1) + "</artifactId>");
            }
        }
    }
}
