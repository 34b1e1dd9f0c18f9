package io.cloudportal.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Paired runs of the JMH benchmark classes: each {@code portalX} benchmark and its {@code rawX}
 * counterpart take turns in short blocks on one server in one JVM (which side goes first
 * alternates), so the drift of this machine and of the server over minutes, which moved whole
 * JMH forks by ±15–20 % here, falls on both sides of every pair alike. A block repeats the
 * benchmark method, timing only the method (a state's {@code Level.Invocation} setup, such as
 * writing a consumer's backlog, runs between, untimed), and its rate is operations per second
 * ({@link OperationsPerInvocation} counted). Prints each pair's ratio and, per operation, the
 * mean and median of the pairs after the first third (warm-up): the figures in docs/benchmarks.md.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.cloudportal.benchmarks.PairedRun KafkaBenchmark,EtcdBenchmark [pairs [blockMillis [operation]]]</pre>
 */
public final class PairedRun {

    private PairedRun() {
    }

    /**
     * Runs the pairs of the named benchmark classes.
     *
     * @param args benchmark class names, comma-separated; pairs (default 12); block length in ms (default 2,000); an operation to run alone
     * @throws Exception if a benchmark fails
     */
    public static void main(String[] args) throws Exception {
        String[] classes = args[0].split(",");
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        long blockNanos = TimeUnit.MILLISECONDS.toNanos(args.length > 2 ? Long.parseLong(args[2]) : 2_000);
        String only = args.length > 3 ? args[3] : null;
        List<String> summary = new ArrayList<>();
        for (String name : classes) {
            Class<?> type = Class.forName(PairedRun.class.getPackageName() + "." + name.trim());
            Object bench = type.getConstructor().newInstance();
            invokeAll(bench, Setup.class, Level.Trial);
            try {
                for (Method portal : benchmarks(type)) {
                    String operation = portal.getName().substring("portal".length());
                    if (only != null && !only.equalsIgnoreCase(operation)) {
                        continue;
                    }
                    // The raw side may take states of its own (its own backlog): found by name.
                    Method raw = Arrays.stream(type.getMethods()).filter(m -> m.getName().equals("raw" + operation)).findFirst()
                            .orElseThrow(() -> new IllegalArgumentException(type.getSimpleName() + " has no raw" + operation));
                    summary.add(pair(type.getSimpleName() + "." + operation, bench, portal, raw, pairs, blockNanos));
                }
            } finally {
                invokeAll(bench, TearDown.class, Level.Trial);
            }
        }
        System.out.println();
        summary.forEach(System.out::println);
        // The benchmark classes' servers and clients may leave non-daemon threads behind.
        System.exit(0);
    }

    private static List<Method> benchmarks(Class<?> type) {
        return Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(Benchmark.class) && m.getName().startsWith("portal"))
                .sorted(Comparator.comparing(Method::getName)).toList();
    }

    private static String pair(String operation, Object bench, Method portal, Method raw, int pairs, long blockNanos) throws Exception {
        List<Double> ratios = new ArrayList<>();
        for (int pair = 0; pair < pairs; pair++) {
            boolean portalFirst = pair % 2 == 0;
            double first = block(bench, portalFirst ? portal : raw, blockNanos);
            double second = block(bench, portalFirst ? raw : portal, blockNanos);
            double portalRate = portalFirst ? first : second;
            double rawRate = portalFirst ? second : first;
            double ratio = portalRate / rawRate;
            System.out.printf(Locale.ROOT, "%s pair %2d: portal %,.0f/s raw %,.0f/s ratio %.3f%n", operation, pair, portalRate, rawRate, ratio);
            if (pair >= pairs / 3) {
                ratios.add(ratio);
            }
        }
        double mean = ratios.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        List<Double> sorted = ratios.stream().sorted().toList();
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f–%.2f | %d |", operation, mean, median, sorted.get(0),
                sorted.get(sorted.size() - 1), ratios.size());
    }

    /** Repeats the method for a block; returns operations per second of the time spent in it. */
    private static double block(Object bench, Method method, long blockNanos) throws Exception {
        OperationsPerInvocation per = method.getAnnotation(OperationsPerInvocation.class);
        int operations = per == null ? 1 : per.value();
        long end = System.nanoTime() + blockNanos;
        long timed = 0;
        long done = 0;
        while (System.nanoTime() < end) {
            Object[] states = new Object[method.getParameterCount()];
            for (int i = 0; i < states.length; i++) {
                states[i] = method.getParameterTypes()[i].getConstructor().newInstance();
                for (Method setup : methods(states[i], Setup.class, Level.Invocation)) {
                    setup.invoke(states[i], bench);
                }
            }
            long start = System.nanoTime();
            try {
                method.invoke(bench, states);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
            timed += System.nanoTime() - start;
            done += operations;
        }
        invokeAll(bench, TearDown.class, Level.Iteration);
        return done / (timed / 1e9);
    }

    private static void invokeAll(Object target, Class<? extends java.lang.annotation.Annotation> kind, Level level) throws Exception {
        for (Method method : methods(target, kind, level)) {
            method.invoke(target);
        }
    }

    private static List<Method> methods(Object target, Class<? extends java.lang.annotation.Annotation> kind, Level level) {
        return Arrays.stream(target.getClass().getMethods()).filter(m -> {
            if (kind == Setup.class && m.isAnnotationPresent(Setup.class)) {
                return m.getAnnotation(Setup.class).value() == level;
            }
            return kind == TearDown.class && m.isAnnotationPresent(TearDown.class) && m.getAnnotation(TearDown.class).value() == level;
        }).toList();
    }
}
