package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void readsDurationsWithUnitsAndIso8601() {
        Options options = new Options(Map.of("a", "500ms", "b", "15s", "c", "2m", "d", "1h", "e", "PT3S", "f", "1d"));
        assertThat(options.duration("a", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(options.duration("b", null)).isEqualTo(Duration.ofSeconds(15));
        assertThat(options.duration("c", null)).isEqualTo(Duration.ofMinutes(2));
        assertThat(options.duration("d", null)).isEqualTo(Duration.ofHours(1));
        assertThat(options.duration("e", null)).isEqualTo(Duration.ofSeconds(3));
        assertThat(options.duration("f", null)).isEqualTo(Duration.ofDays(1));
        assertThat(options.duration("missing", Duration.ofSeconds(7))).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void prefixedOptionsComeWithoutTheirPrefix() {
        Options options = new Options(Map.of("kafka.linger.ms", "5", "kafka.producer.acks", "1", "kafka.", "x", "clientId", "c"));
        assertThat(options.withPrefix("kafka.")).containsExactly(Map.entry("linger.ms", "5"), Map.entry("producer.acks", "1"));
        assertThat(options.withPrefix("kafka.producer.")).containsOnly(Map.entry("acks", "1"));
        assertThat(options.withPrefix("none.")).isEmpty();
    }

    @Test
    void aBareNumberIsNotADuration() {
        assertThatThrownBy(() -> new Options(Map.of("sessionTimeout", "15")).duration("sessionTimeout", null))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sessionTimeout").hasMessageContaining("'15'").hasMessageContaining("15s");
    }

    @Test
    void aZeroDurationIsRejected() {
        assertThatThrownBy(() -> new Options(Map.of("t", "0s")).duration("t", null)).hasMessageContaining("positive");
    }

    @Test
    void integersAndBooleansAreCheckedWithTheirRule() {
        Options options = new Options(Map.of("n", "12", "big", "99", "word", "x", "flag", "TRUE", "bad", "yes"));
        assertThat(options.integer("n", 0, 1, 50)).isEqualTo(12);
        assertThatThrownBy(() -> options.integer("big", 0, 1, 50)).hasMessageContaining("between 1 and 50");
        assertThatThrownBy(() -> options.integer("word", 0, 1, 50)).hasMessageContaining("not an integer");
        assertThat(options.bool("flag", false)).isTrue();
        assertThatThrownBy(() -> options.bool("bad", false)).hasMessageContaining("'true' or 'false'");
    }

    @Test
    void secretValuesAreNeverShown() {
        Options options = new Options(Map.of("password", "hunter2", "secretKey", "abc", "user", "app"));
        assertThat(options.toString()).contains("user=app").doesNotContain("hunter2").doesNotContain("abc");
        assertThatThrownBy(() -> options.integer("password", 0, 0, 1)).hasMessageNotContaining("hunter2");
    }
}
