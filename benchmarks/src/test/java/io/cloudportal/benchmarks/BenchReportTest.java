package io.cloudportal.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BenchReportTest {

    @Test
    void notesBelowTheMarkerSurviveARewriteAndNothingElseDoes() {
        String report = "# Benchmarks\n\n| old table |\n\n" + BenchReport.KEPT_MARKER + "\n\n## Runs with more forks\n\ntext\n";
        assertThat(BenchReport.keptNotes(report)).startsWith("\n" + BenchReport.KEPT_MARKER).contains("Runs with more forks")
                .doesNotContain("old table");
        assertThat(BenchReport.keptNotes("# Benchmarks\n| table |\n")).isEmpty();
    }
}
