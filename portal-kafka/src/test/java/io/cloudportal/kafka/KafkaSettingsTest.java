package io.cloudportal.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Portal;
import io.cloudportal.UnavailableException;
import io.cloudportal.messaging.Message;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalUrl;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** URL and option rules, checked before any I/O. */
class KafkaSettingsTest {

    private static KafkaSettings settings(String url) {
        PortalUrl parsed = PortalUrl.parse(url);
        return KafkaSettings.from(new DriverContext(parsed, new Options(parsed.queryOptions()), Duration.ofSeconds(30), "c1"));
    }

    @Test
    void defaultsAreSafe() {
        KafkaSettings settings = settings("kafka://a:9092,b:9093");
        assertThat(settings.bootstrapServers()).isEqualTo("a:9092,b:9093");
        assertThat(settings.producer()).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("max.block.ms", 10_000L).containsEntry("delivery.timeout.ms", 120_000)
                .containsEntry("request.timeout.ms", 30_000).containsEntry("client.id", "portal-c1");
        assertThat(settings.consumer()).containsEntry("enable.auto.commit", false).containsEntry("auto.offset.reset", "earliest")
                .doesNotContainKey("group.id");
        assertThat(settings.partitions()).isEqualTo(6);
        assertThat(settings.replicationFactor()).isEmpty();
        assertThat(settings.maxRequestSize()).isEqualTo(1024 * 1024);
    }

    @Test
    void aSilentMemberKeepsItsPartitionsForTheSessionTimeoutTenSecondsUnlessSet() {
        assertThat(settings("kafka://a:9092").consumer()).containsEntry("session.timeout.ms", 10_000).containsEntry("heartbeat.interval.ms", 1000);
        assertThat(settings("kafka://a:9092?sessionTimeout=45s").consumer()).containsEntry("session.timeout.ms", 45_000);
        assertThat(settings("kafka://a:9092?sessionTimeout=2s").consumer()).as("heartbeats stay a third of the session")
                .containsEntry("heartbeat.interval.ms", 666);
        assertThatThrownBy(() -> settings("kafka://a:9092?sessionTimeout=500ms")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("sessionTimeout");
    }

    @Test
    void acksOtherThanAllTurnIdempotenceOff() {
        assertThat(settings("kafka://a:9092?acks=1").producer()).containsEntry("acks", "1").containsEntry("enable.idempotence", false);
        assertThatThrownBy(() -> settings("kafka://a:9092?acks=2")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("acks").hasMessageContaining("'2'").hasMessageContaining("all");
    }

    @Test
    void aShortDeliveryTimeoutPullsTheRequestTimeoutDown() {
        assertThat(settings("kafka://a:9092?deliveryTimeout=5s&linger=10ms").producer())
                .containsEntry("delivery.timeout.ms", 5000).containsEntry("request.timeout.ms", 4990);
        assertThatThrownBy(() -> settings("kafka://a:9092?deliveryTimeout=100ms")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("deliveryTimeout");
    }

    @Test
    void nativeSettingsPassThroughAndTheClientSpecificOneWins() {
        KafkaSettings settings = settings("kafka://a:9092?kafka.max.poll.records=50&kafka.consumer.max.poll.records=20"
                + "&kafka.producer.max.request.size=2097152&kafka.admin.retries=3");
        assertThat(settings.consumer()).containsEntry("max.poll.records", "20");
        assertThat(settings.producer()).containsEntry("max.poll.records", "50").containsEntry("max.request.size", "2097152");
        assertThat(settings.admin()).containsEntry("retries", "3");
        assertThat(settings.maxRequestSize()).isEqualTo(2 * 1024 * 1024);
    }

    @Test
    void settingsPortalsGuaranteesRestOnCannotBePassedThrough() {
        assertThatThrownBy(() -> settings("kafka://a:9092?kafka.consumer.enable.auto.commit=true"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("enable.auto.commit").hasMessageContaining("commits");
        assertThatThrownBy(() -> settings("kafka://a:9092?kafka.group.id=x")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("group.id");
    }

    @Test
    void credentialsBecomeSaslSettingsAndAreNeverShown() {
        KafkaSettings settings = settings("kafka://alice:s3cret@a:9092?saslMechanism=scram-sha-256");
        assertThat(settings.producer()).containsEntry("security.protocol", "SASL_PLAINTEXT").containsEntry("sasl.mechanism", "SCRAM-SHA-256");
        assertThat((String) settings.producer().get("sasl.jaas.config")).contains("ScramLoginModule").contains("username=\"alice\"");
        assertThat(settings.toString()).doesNotContain("s3cret");
        assertThatThrownBy(() -> settings("kafka://a:9092?user=alice")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("password").hasMessageNotContaining("alice");
        assertThatThrownBy(() -> settings("kafka://alice:s3cret@a:9092?securityProtocol=SSL")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("SASL").hasMessageNotContaining("s3cret");
    }

    @Test
    void hostsNeedAPortAndTheUrlHasNoPath() {
        assertThatThrownBy(() -> settings("kafka://a")).isInstanceOf(ConfigurationException.class).hasMessageContaining("host:port");
        assertThatThrownBy(() -> settings("kafka://a:9092/orders")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("no path");
    }

    @Test
    void prefixedOptionsAreAcceptedAndOthersStillRejected() {
        assertThatThrownBy(() -> Portal.connect("kafka://127.0.0.1:1?kafkaLinger=1")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("kafkaLinger");
        // Accepted: the connection gets as far as looking for a broker.
        assertThatThrownBy(() -> Portal.connect("kafka://127.0.0.1:1?kafka.linger.ms=1&connectTimeout=1s"))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("127.0.0.1:1").hasMessageContaining("connectTimeout");
    }

    @Test
    void topicAndRecordRulesAreKafkas() {
        assertThat(KafkaDriver.LIMITS.topicPattern().matcher("orders.eu_1-x").matches()).isTrue();
        assertThat(KafkaDriver.LIMITS.topicPattern().matcher(".").matches()).isFalse();
        assertThat(KafkaDriver.LIMITS.topicPattern().matcher("..").matches()).isFalse();
        assertThat(KafkaDriver.LIMITS.maxTopicLength() + io.cloudportal.spi.Limits.DEAD_LETTER_SUFFIX.length()).isEqualTo(249);
        Message big = new Message("t", "k", new byte[1024 * 1024 - 10], Map.of());
        assertThat(KafkaRecords.sizeUpperBound(big)).isGreaterThan(1024 * 1024);
        assertThat(KafkaRecords.sizeUpperBound(Message.of("t", "k", "x"))).isLessThan(200);
    }
}
