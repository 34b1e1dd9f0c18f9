package io.cloudportal.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Writes one line per contract test to {@code target/conformance/<driver>.tsv}: driver,
 * contract, test, outcome (passed, n/a by declaration, not run: fault not injectable, failed)
 * and the figures the test measured. {@code scripts/conformance} gathers the files into
 * {@code docs/conformance.md}.
 */
public final class ConformanceReporter implements TestWatcher {

    private static final Set<Path> STARTED = new HashSet<>();

    @Override
    public void testSuccessful(ExtensionContext context) {
        ContractSupport contract = contract(context);
        String outcome = contract.notApplicable != null ? "n/a: " + contract.notApplicable
                : contract.notRun != null ? "not run: " + contract.notRun : "passed";
        write(context, contract, outcome);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        write(context, contract(context), "failed: " + message);
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        write(context, contract(context), "aborted: " + cause.getMessage());
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        // A contract is never disabled; a driver that does so shows up as missing in the table.
    }

    private static ContractSupport contract(ExtensionContext context) {
        return (ContractSupport) context.getRequiredTestInstance();
    }

    private static void write(ExtensionContext context, ContractSupport contract, String outcome) {
        String driver = contract.harness().driverName();
        String figures = contract.figures.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
        String line = String.join("\t", driver, context.getRequiredTestMethod().getDeclaringClass().getSimpleName(),
                context.getRequiredTestMethod().getName(), clean(outcome), figures) + "\n";
        Path file = Path.of(System.getProperty("portal.conformance.dir", "target/conformance"), driver + ".tsv");
        synchronized (STARTED) {
            try {
                Files.createDirectories(file.getParent());
                // A new test JVM starts the file afresh, so a rerun never mixes with a stale one.
                if (STARTED.add(file)) {
                    Files.writeString(file, line, StandardCharsets.UTF_8);
                } else {
                    Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the conformance result " + file, e);
            }
        }
    }

    private static String clean(String text) {
        return text.replaceAll("[\\t\\r\\n]+", " ");
    }
}
