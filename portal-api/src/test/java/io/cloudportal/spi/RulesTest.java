package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.InvalidArgumentException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RulesTest {

    @Test
    void namesAreNonEmptyShortAndFreeOfSlashesAndControlCharacters() {
        assertThat(Rules.name("lock name", "orders", 10)).isEqualTo("orders");
        assertThatThrownBy(() -> Rules.name("lock name", null, 10)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("lock name is null: it is required");
        assertThatThrownBy(() -> Rules.name("lock name", " ", 10)).hasMessage("lock name ' ' must not be empty or blank");
        assertThatThrownBy(() -> Rules.name("lock name", "a/b", 10)).hasMessage("lock name 'a/b' must not contain '/'");
        assertThatThrownBy(() -> Rules.name("lock name", "x".repeat(11), 10))
                .hasMessage("lock name 'xxxxxxxxxxx' is 11 characters long: at most 10 are allowed");
        assertThatThrownBy(() -> Rules.name("lock name", "a\u0000b", 10))
                .hasMessage("lock name 'a\\u0000b' must not contain control characters (found U+0000 at index 1)");
    }

    @Test
    void aLongValueIsShortenedInTheMessage() {
        assertThatThrownBy(() -> Rules.name("lock name", "y".repeat(500), 10)).hasMessageContaining("y".repeat(80) + "…")
                .hasMessageNotContaining("y".repeat(81));
    }

    @Test
    void keysArePathsOfNonEmptySegments() {
        assertThat(Rules.key("app/db/url", 100)).isEqualTo("app/db/url");
        assertThatThrownBy(() -> Rules.key("/app", 100)).hasMessageContaining("must not start or end with '/'");
        assertThatThrownBy(() -> Rules.key("app/", 100)).hasMessageContaining("must not start or end with '/'");
        assertThatThrownBy(() -> Rules.key("a//b", 100)).hasMessageContaining("empty segment");
        assertThatThrownBy(() -> Rules.key("a/../b", 100)).hasMessageContaining("'.' or '..' segment");
    }

    @Test
    void prefixesMayBeEmptyOrEndWithASlash() {
        assertThat(Rules.prefix("", 100)).isEmpty();
        assertThat(Rules.prefix("app/", 100)).isEqualTo("app/");
        assertThat(Rules.prefix("app/d", 100)).isEqualTo("app/d");
        assertThatThrownBy(() -> Rules.prefix("/", 100)).hasMessageContaining("not '/' alone");
        assertThatThrownBy(() -> Rules.prefix(null, 100)).hasMessageContaining("prefix is null");
    }

    @Test
    void topicsFollowTheDriversPattern() {
        assertThat(Rules.topic("topic", "orders.v1", Limits.PORTABLE)).isEqualTo("orders.v1");
        assertThatThrownBy(() -> Rules.topic("topic", "orders v1", Limits.PORTABLE))
                .hasMessage("topic 'orders v1' must use only letters, digits, '.', '_' and '-'");
        Limits noDots = Limits.PORTABLE.withTopicRule(127, java.util.regex.Pattern.compile("[A-Za-z0-9_-]+"), "only letters, digits, '_' and '-'");
        assertThatThrownBy(() -> Rules.topic("topic", "orders.v1", noDots)).hasMessageContaining("orders.v1").hasMessageContaining("'_' and '-'");
    }

    @Test
    void headersAllowAnyTextButControlCharactersWithinASizeLimit() {
        Rules.headers(Map.of("greeting", "héllo ✓ 你好 🚀", "empty", ""), 1000);
        assertThatThrownBy(() -> Rules.headers(Map.of("x", "a\nb"), 1000)).hasMessageContaining("header 'x' value").hasMessageContaining("control");
        assertThatThrownBy(() -> Rules.headers(Map.of("", "v"), 1000)).hasMessageContaining("header name");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("n", null);
        assertThatThrownBy(() -> Rules.headers(withNull, 1000)).hasMessageContaining("header 'n'").hasMessageContaining("must have a value");
        assertThatThrownBy(() -> Rules.headers(Map.of("k", "v".repeat(20)), 10)).hasMessage("headers are 21 bytes: at most 10 bytes are allowed");
    }

    @Test
    void sizesDurationsAndRangesNameTheirLimit() {
        assertThatThrownBy(() -> Rules.size("payload", new byte[11], 10)).hasMessage("payload is 11 bytes: at most 10 bytes are allowed");
        assertThatThrownBy(() -> Rules.duration("timeout", Duration.ZERO, false)).hasMessage("timeout 'PT0S' must be positive");
        assertThat(Rules.duration("timeout", Duration.ZERO, true)).isZero();
        assertThatThrownBy(() -> Rules.duration("timeout", Duration.ofSeconds(-1), true)).hasMessage("timeout 'PT-1S' must not be negative");
        assertThatThrownBy(() -> Rules.range("port", 0, 1, 65535)).hasMessage("port '0' must be between 1 and 65535");
    }
}
