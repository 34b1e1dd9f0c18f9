package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void secretOptionNamesAreRecognised() {
        assertThat(Redaction.isSecret("password")).isTrue();
        assertThat(Redaction.isSecret("secretKey")).isTrue();
        assertThat(Redaction.isSecret("curveSecretKey")).isTrue();
        assertThat(Redaction.isSecret("authToken")).isTrue();
        assertThat(Redaction.isSecret("user")).isFalse();
        assertThat(Redaction.isSecret("accessKey")).as("an access key is an id; its secret is secretKey").isFalse();
    }

    @Test
    void passwordsInUrlsAndSecretQueryOptionsAreMaskedInAnyText() {
        String text = "cannot reach amqp://app:hunter2@rabbit:5672/v and etcd://root:pw@h:2379?token=abc&ttl=5s";
        assertThat(Redaction.redactUrl(text))
                .isEqualTo("cannot reach amqp://app:****@rabbit:5672/v and etcd://root:****@h:2379?token=****&ttl=5s");
        assertThat(Redaction.redactUrl("zookeeper://h:2181/app")).isEqualTo("zookeeper://h:2181/app");
        assertThat(Redaction.redactUrl(null)).isNull();
    }

    @Test
    void anUnencodedSecretHoldingUrlCharactersIsHiddenWhole() {
        String secret = "s3cr&t#x@y/z?w";
        String shown = Redaction.redactUrl("zeromq://h:5555?curvePublicKey=Pub@Key&curveSecretKey=" + secret + "&bind=true");
        assertThat(shown).doesNotContain("s3cr").doesNotContain("t#x").doesNotContain("y/z").endsWith("&bind=true");
    }
}
