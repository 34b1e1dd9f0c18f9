package io.cloudportal.zookeeper;

import io.cloudportal.tck.SecretsProbe;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Digest credentials appear in no log line (Portal's or ZooKeeper's and Curator's, at TRACE), no toString() and no exception. */
class ZooKeeperSecretsIT {

    private static final String SECRET = "Zk-s3cret-4711";
    private static final String WRONG = "Wrong-s3cret-0815";

    @Test
    void digestPasswordsAppearInNoLogLineToStringOrException() throws Exception {
        String base = ZooKeeperHarness.INSTANCE.server().url() + "/secrets-it";
        SecretsProbe.assertNoSecretInAnyLogLine(base + "?user=app&password=" + SECRET, base + "?user=app&password=" + WRONG,
                List.of(SECRET, WRONG));
    }
}
