package io.cloudportal.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalUrl;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL, credentials, option and name rules, checked before any I/O. */
class RocketMqSettingsTest {

    private static RocketMqSettings settings(String url, Map<String, String> environment) {
        PortalUrl parsed = PortalUrl.parse(url);
        return RocketMqSettings.from(new DriverContext(parsed, new Options(parsed.queryOptions()), Duration.ofSeconds(30), "c1"), environment);
    }

    @Test
    void nameServersWithDefaults() {
        RocketMqSettings settings = settings("rocketmq://ns1;ns2:9999", Map.of());
        assertThat(settings.nameServers()).isEqualTo("ns1:9876;ns2:9999");
        assertThat(settings.producerGroup()).isEqualTo("portal-producer");
        assertThat(settings.sendTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.queues()).isEqualTo(8);
        assertThat(settings.maxReconsumeTimes()).isEmpty();
        assertThat(settings.acl()).isFalse();
        assertThat(settings("rocketmq://ns?maxReconsumeTimes=2", Map.of()).maxReconsumeTimes()).hasValue(2);
    }

    @Test
    void aclKeysComeFromTheUrlThenOptionsThenTheEnvironmentAndTheSecretIsNeverShown() {
        Map<String, String> environment = Map.of(RocketMqSettings.ACCESS_KEY_VARIABLE, "env-ak", RocketMqSettings.SECRET_KEY_VARIABLE, "env-sk");
        assertThat(settings("rocketmq://ns", environment).accessKey()).isEqualTo("env-ak");
        assertThat(settings("rocketmq://ns?accessKey=opt-ak&secretKey=opt-sk", environment).secretKey()).isEqualTo("opt-sk");
        RocketMqSettings fromUrl = settings("rocketmq://url-ak:url-sk@ns", environment);
        assertThat(fromUrl.accessKey()).isEqualTo("url-ak");
        assertThat(fromUrl.toString()).contains("url-ak").doesNotContain("url-sk");
        assertThatThrownBy(() -> settings("rocketmq://ns?accessKey=only", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("secret key");
    }

    @Test
    void badOptionsFailNamingTheValueAndTheRule() {
        assertThatThrownBy(() -> settings("rocketmq://ns?producerGroup=a.b", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("a.b").hasMessageContaining("letters, digits");
        assertThatThrownBy(() -> settings("rocketmq://ns?delayLevels=1s%205x", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("5x");
        assertThatThrownBy(() -> settings("rocketmq://ns?delayLevels=5s%201s", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("increase");
        assertThatThrownBy(() -> settings("rocketmq://ns?sendTimeout=0s", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sendTimeout");
    }

    @Test
    void aDelayRoundsUpToTheNextLevelSoAMessageIsNeverEarly() {
        RocketMqSettings settings = settings("rocketmq://ns", Map.of());
        assertThat(settings.delayLevelAtLeast(Duration.ofMillis(20))).isEqualTo(1);
        assertThat(settings.delayLevelAtLeast(Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(settings.delayLevelAtLeast(Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(settings.delayLevelAtLeast(Duration.ofHours(2))).isEqualTo(18);
        assertThat(settings.delayLevelAtLeast(Duration.ofHours(3))).isZero();
    }

    @Test
    void topicRulesAreRocketMqsWithoutSystemTopicsButWithDeadLetterQueues() {
        var pattern = RocketMqDriver.LIMITS.topicPattern();
        assertThat(pattern.matcher("orders_eu-1").matches()).isTrue();
        assertThat(pattern.matcher("%DLQ%billing|orders").matches()).isTrue();
        assertThat(pattern.matcher("billing|orders").matches()).as("'|' only in a dead-letter topic").isFalse();
        assertThat(pattern.matcher("orders.eu").matches()).as("dots").isFalse();
        assertThat(pattern.matcher("TBW102").matches()).as("a system topic").isFalse();
        assertThat(pattern.matcher("SCHEDULE_TOPIC_XXXX").matches()).as("a system topic").isFalse();
        assertThat(pattern.matcher("rmq_sys_anything").matches()).as("the system prefix").isFalse();
        assertThat(pattern.matcher("%RETRY%billing").matches()).as("a retry topic").isFalse();
        assertThat(RocketMqDriver.LIMITS.maxTopicLength()).as("room for a broadcast dead-letter topic, <topic>-dlt").isEqualTo(123);
        assertThat(RocketMqDriver.LIMITS.maxDeadLetterTopicLength()).isEqualTo(127);
        assertThat(RocketMqDriver.LIMITS.maxGroupLength()).isEqualTo(100);
    }

    @Test
    void aGroupIsScopedByItsTopicAndEveryNameFitsTheRetryTopic() {
        assertThat(ConsumerGroups.of("billing", "orders")).isEqualTo("billing|orders");
        assertThat(ConsumerGroups.of("audit", "%DLQ%billing|orders")).isEqualTo("audit|DLQ|billing|orders");
        String longestGroup = "g".repeat(RocketMqDriver.MAX_GROUP_LENGTH);
        String longestTopic = "t".repeat(RocketMqDriver.MAX_TOPIC_LENGTH);
        String scoped = ConsumerGroups.of(longestGroup, longestTopic);
        assertThat(scoped).hasSize(120).startsWith(longestGroup + "|ttt").matches(".*\\|[0-9a-f]{8}");
        assertThat(("%RETRY%" + scoped).length()).isEqualTo(127);
        assertThat(ConsumerGroups.of(longestGroup, longestTopic.substring(1) + "u")).as("topics alike in their first characters")
                .isNotEqualTo(scoped);
        assertThat(("%DLQ%" + scoped).length()).isLessThanOrEqualTo(RocketMqDriver.LIMITS.maxDeadLetterTopicLength());
    }
}
