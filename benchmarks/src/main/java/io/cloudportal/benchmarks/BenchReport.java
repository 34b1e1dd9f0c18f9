package io.cloudportal.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

/**
 * Runs the benchmarks and writes {@code docs/benchmarks.md}: each {@code portalX} benchmark
 * next to the {@code rawX} of its class, measured in the same run, as a throughput ratio.
 * Arguments are JMH's own ({@code -f 1 -wi 3 -i 5 …}); the last one may be the report path.
 */
public final class BenchReport {

    private BenchReport() {
    }

    /**
     * Entry point of {@code scripts/bench}.
     *
     * @param args JMH options, then {@code --report PATH}
     * @throws RunnerException if JMH fails
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws RunnerException, IOException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        Path report = Path.of("docs/benchmarks.md");
        String command = System.getProperty("bench.command", "scripts/bench");
        int split = java.util.Arrays.asList(args).indexOf("--report");
        String[] jmhArgs = args;
        if (split >= 0) {
            report = Path.of(args[split + 1]);
            jmhArgs = java.util.Arrays.copyOf(args, split);
        }
        Options options = new CommandLineOptions(jmhArgs);
        Collection<RunResult> results = new Runner(options).run();
        String kept = Files.exists(report) ? keptNotes(Files.readString(report, StandardCharsets.UTF_8)) : "";
        Files.writeString(report, markdown(results, command) + kept, StandardCharsets.UTF_8);
    }

    /** Where the generated table ends and notes written by hand begin; they survive every run. */
    static final String KEPT_MARKER = "<!-- Notes below this line are kept when scripts/bench rewrites the file. -->";

    static String keptNotes(String report) {
        int at = report.indexOf(KEPT_MARKER);
        return at < 0 ? "" : "\n" + report.substring(at);
    }

    static String markdown(Collection<RunResult> results, String command) {
        Map<String, double[]> scores = new TreeMap<>();
        Map<String, String> units = new TreeMap<>();
        for (RunResult result : results) {
            String label = result.getParams().getBenchmark();
            String className = label.substring(label.lastIndexOf('.', label.lastIndexOf('.') - 1) + 1, label.lastIndexOf('.'));
            String method = label.substring(label.lastIndexOf('.') + 1);
            boolean portal = method.startsWith("portal");
            String operation = className.replace("Benchmark", "") + " " + method.replaceFirst("^(portal|raw)", "");
            double[] pair = scores.computeIfAbsent(operation, o -> new double[4]);
            int at = portal ? 0 : 2;
            pair[at] = result.getPrimaryResult().getScore();
            pair[at + 1] = result.getPrimaryResult().getScoreError();
            units.put(operation, result.getPrimaryResult().getScoreUnit());
        }
        StringBuilder text = new StringBuilder();
        text.append("# Benchmarks\n\n")
                .append("Each Portal operation is measured next to the raw client (or, for the memory driver, the JDK structure it\n")
                .append("stands for) in the same JMH run on the same machine; the ratio Portal ÷ raw is what to read, not the\n")
                .append("absolute numbers, which vary with the machine. Ratios above 1 mean Portal was faster.\n\n")
                .append("Reproduce with `").append(command).append("` (it rewrites this file). Last run: ").append(LocalDate.now())
                .append(", JDK ").append(System.getProperty("java.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores.\n\n")
                .append("The `Memory*` rows compare the in-memory driver with the bare JDK structure it simulates (a map, a lock,\n")
                .append("a queue). They show the fixed cost of a Portal call — argument validation, defensive copies, the\n")
                .append("simulated server's lock, dispatch to handler threads — which is tens to a few hundred nanoseconds. Against\n")
                .append("a real server a call costs a network round trip; each driver adds its own rows, Portal against the raw\n")
                .append("client on the same server, where the ratio should be close to 1.\n\n")
                .append("ZeroMQ has no server: `ZeroMq PubSub` sends both through a forwarder in the benchmark's JVM, Portal's hub\n")
                .append("against JeroMQ's own XSUB/XPUB proxy (the ZeroMQ guide's many-to-many design), and `ZeroMq DirectPubSub`\n")
                .append("is raw PUB straight to SUB, the price of any forwarder hop.\n\n")
                .append("| operation | Portal | raw | unit | Portal ÷ raw |\n|---|---:|---:|---|---:|\n");
        for (Map.Entry<String, double[]> entry : scores.entrySet()) {
            double[] s = entry.getValue();
            text.append("| ").append(entry.getKey()).append(" | ")
                    .append(format(s[0], s[1])).append(" | ").append(format(s[2], s[3])).append(" | ").append(units.get(entry.getKey()))
                    .append(" | ").append(s[0] > 0 && s[2] > 0 ? String.format("%.2f", s[0] / s[2]) : "–").append(" |\n");
        }
        return text.toString();
    }

    private static String format(double score, double error) {
        if (score == 0) {
            return "–";
        }
        return Double.isNaN(error) ? String.format("%,.0f", score) : String.format("%,.0f ± %,.0f", score, error);
    }
}
