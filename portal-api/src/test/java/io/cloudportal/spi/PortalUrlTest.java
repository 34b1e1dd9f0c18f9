package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PortalUrlTest {

    @Test
    void parsesSeveralHostsAPathAndOptions() {
        PortalUrl url = PortalUrl.parse("zookeeper://h1:2181,h2:2181/app/sub?sessionTimeout=15s&retries=3");
        assertThat(url.scheme()).isEqualTo("zookeeper");
        assertThat(url.hosts()).containsExactly("h1:2181", "h2:2181");
        assertThat(url.path()).isEqualTo("app/sub");
        assertThat(url.queryOptions()).containsExactly(Map.entry("sessionTimeout", "15s"), Map.entry("retries", "3"));
        assertThat(url.user()).isEmpty();
    }

    @Test
    void acceptsSemicolonSeparatedNameServersAndSchemesWithPlus() {
        assertThat(PortalUrl.parse("rocketmq://ns1:9876;ns2:9876").hosts()).containsExactly("ns1:9876", "ns2:9876");
        PortalUrl inproc = PortalUrl.parse("zeromq+inproc://events");
        assertThat(inproc.scheme()).isEqualTo("zeromq+inproc");
        assertThat(inproc.hosts()).isEqualTo(List.of("events"));
    }

    @Test
    void decodesCredentialsAndNeverShowsThePassword() {
        PortalUrl url = PortalUrl.parse("amqp://app:s%40cr%3At@rabbit:5672/orders?password=other-secret&prefetch=10");
        assertThat(url.user()).contains("app");
        assertThat(url.password()).contains("s@cr:t");
        assertThat(url.path()).isEqualTo("orders");
        assertThat(url.toString()).isEqualTo("amqp://app:****@rabbit:5672/orders?password=****&prefetch=10")
                .doesNotContain("s@cr").doesNotContain("other-secret");
    }

    @Test
    void keepsAPlusSignInAValue() {
        assertThat(PortalUrl.parse("memory://x?token=a+b").queryOptions()).containsEntry("token", "a+b");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "no-scheme", "zookeeper:opaque", "zookeeper://", "zookeeper://h1:2181,,h2:2181", "zookeeper://h 1"})
    void rejectsMalformedUrlsNamingTheUrl(String bad) {
        assertThatThrownBy(() -> PortalUrl.parse(bad)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("url '").hasMessageContaining("malformed");
    }

    @Test
    void rejectsAnOptionGivenTwice() {
        assertThatThrownBy(() -> PortalUrl.parse("memory://x?a=1&a=2")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'a' twice");
    }

    @Test
    void aMalformedUrlWithAPasswordDoesNotLeakIt() {
        assertThatThrownBy(() -> PortalUrl.parse("amqp://user:hunter2@host with space/vhost"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageNotContaining("hunter2")
                .hasMessageContaining("user:****@");
    }
}
