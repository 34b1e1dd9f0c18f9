package io.cloudportal.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What an example tells its reader, in plain words, one line per event. The lines are kept, so a
 * test can check the facts an example claims. In your own service these would be log lines.
 */
public final class Transcript {

    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();

    private Transcript(PrintStream out) {
        this.out = out;
    }

    /**
     * A transcript printed to standard output as it is written.
     *
     * @return the transcript
     */
    public static Transcript console() {
        return new Transcript(new PrintStream(System.out, true, StandardCharsets.UTF_8));
    }

    /**
     * A transcript that is only kept, for tests.
     *
     * @return the transcript
     */
    public static Transcript quiet() {
        return new Transcript(null);
    }

    /**
     * Writes a line.
     *
     * @param format a {@link String#format} pattern
     * @param args its arguments
     */
    public synchronized void say(String format, Object... args) {
        String line = String.format(format, args);
        lines.add(line);
        if (out != null) {
            out.println("  " + line);
        }
    }

    /**
     * Starts a section: a heading on the console, not kept as a fact.
     *
     * @param title the section's title
     */
    public synchronized void section(String title) {
        if (out != null) {
            out.println();
            out.println("== " + title);
        }
    }

    /**
     * The lines written so far.
     *
     * @return a copy of the lines
     */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
