package io.cloudportal.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.tck.SecretsProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ACL secret key appears in no log line: Portal's and RocketMQ's own client log (its shaded
 * Logback writes to the console and to {@code ~/logs/rocketmqlogs}, read here from the probe's own
 * home), at TRACE. The
 * broker here does not enforce ACLs, so no refusal is probed: the client signs every request with
 * the secret all the same, which is where it could leak.
 */
class RocketMqSecretsIT {

    private static final String SECRET = "Rmq-Acl-s3cret-4711";

    @Test
    void theAclSecretKeyAppearsInNoLogLineToStringOrException() throws Exception {
        String url = RocketMqHarness.INSTANCE.url() + "&accessKey=portal-probe&secretKey=" + SECRET;
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(url, null, List.of(SECRET), List.of("-Drocketmq.log.level=trace"));
        // RocketMQ's client logs through its own shaded Logback, to the console and to ~/logs/rocketmqlogs.
        assertThat(printed).as("RocketMQ's own client log was captured").contains("o.a.r.c.");
    }
}
