package io.cloudportal.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/** Deleting a fixture's temporary directory, best effort: a leftover temp file must not fail a test. */
final class Files2 {

    private Files2() {
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LoggerFactory.getLogger(Files2.class).debug("Could not delete {}", directory, e);
        }
    }
}
