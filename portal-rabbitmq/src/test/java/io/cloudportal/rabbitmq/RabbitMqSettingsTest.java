package io.cloudportal.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalUrl;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL, credentials and option rules, checked before any I/O. */
class RabbitMqSettingsTest {

    private static RabbitMqSettings settings(String url, Map<String, String> environment) {
        PortalUrl parsed = PortalUrl.parse(url);
        return RabbitMqSettings.from(new DriverContext(parsed, new Options(parsed.queryOptions()), Duration.ofSeconds(30), "c1"), environment);
    }

    @Test
    void rabbitMqsOwnUriFormWithDefaults() {
        RabbitMqSettings settings = settings("amqp://app:s3cret@rabbit/orders", Map.of());
        assertThat(settings.addresses()).containsExactly("rabbit:5672");
        assertThat(settings.virtualHost()).isEqualTo("orders");
        assertThat(settings.user()).isEqualTo("app");
        assertThat(settings.prefetch()).isEqualTo(100);
        assertThat(settings.queueType()).isEqualTo("quorum");
        assertThat(settings.mandatory()).isFalse();
        assertThat(settings("amqps://h", Map.of()).addresses()).containsExactly("h:5671");
        assertThat(settings("amqp://h:5000,g", Map.of()).addresses()).containsExactly("h:5000", "g:5672");
        assertThat(settings("amqp://h", Map.of()).virtualHost()).isEqualTo("/");
    }

    @Test
    void credentialsComeFromTheUrlThenOptionsThenTheEnvironmentAndAreNeverShown() {
        Map<String, String> environment = Map.of(RabbitMqSettings.USER_VARIABLE, "env-user", RabbitMqSettings.PASSWORD_VARIABLE, "env-pw");
        assertThat(settings("amqp://h", environment).user()).isEqualTo("env-user");
        assertThat(settings("amqp://h?user=opt-user&password=opt-pw", environment).password()).isEqualTo("opt-pw");
        assertThat(settings("amqp://url-user:url-pw@h?user=opt-user", environment).user()).isEqualTo("url-user");
        assertThat(settings("amqp://h", Map.of()).user()).isEqualTo("guest");
        RabbitMqSettings secret = settings("amqp://app:s3cret@h", Map.of());
        assertThat(secret.toString()).doesNotContain("s3cret").contains("****");
    }

    @Test
    void badOptionsAreRefusedWithTheRule() {
        assertThatThrownBy(() -> settings("amqp://h?queueType=stream", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("queueType").hasMessageContaining("quorum");
        assertThatThrownBy(() -> settings("amqp://h?prefetch=0", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("prefetch");
        assertThatThrownBy(() -> settings("amqp://h?confirmTimeout=soon", Map.of())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("confirmTimeout");
    }

    @Test
    void topicsFollowRabbitMqsRules() {
        assertThat(RabbitMqDriver.LIMITS.topicPattern().matcher("orders.eu-1_x").matches()).isTrue();
        assertThat(RabbitMqDriver.LIMITS.topicPattern().matcher("amq.direct").matches()).as("amq. is reserved").isFalse();
        assertThat(RabbitMqDriver.LIMITS.maxDeadLetterTopicLength() + 1 + RabbitMqDriver.LIMITS.maxGroupLength())
                .as("<dead-letter topic>.<group> fits 255").isEqualTo(255);
    }
}
