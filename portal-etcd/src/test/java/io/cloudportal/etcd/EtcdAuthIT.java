package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.tck.SecretsProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** etcd with authentication on: the right credentials work for every facility, wrong ones fail without showing them. */
class EtcdAuthIT {

    private static final String PASSWORD = "r00t-s3cret";
    private static EmbeddedEtcd server;

    @BeforeAll
    static void startWithAuthentication() throws Exception {
        server = new EmbeddedEtcd();
        server.start();
        etcdctl("user", "add", "root", "--new-user-password=" + PASSWORD, "--interactive=false");
        etcdctl("auth", "enable");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void etcdctl(String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/etcdctl", "--endpoints=" + server.endpoint()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("ETCDCTL_API", "3");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("etcdctl %s: %s", String.join(" ", arguments), output).isZero();
    }

    @Test
    void passwordsAppearInNoLogLineToStringOrException() throws Exception {
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(server.url() + "/probe?user=root&password=" + PASSWORD,
                server.url() + "/probe?user=root&password=wrong-pw-123&connectTimeout=5s", List.of(PASSWORD, "wrong-pw-123"));
        assertThat(printed).contains("PROBE REFUSED AccessDeniedException");
    }

    @Test
    void theRightCredentialsWorkForEveryFacility() throws Exception {
        try (Portal portal = Portal.connect(server.url() + "/auth?user=root&password=" + PASSWORD)) {
            portal.kvStore().put("app/setting", "on".getBytes(StandardCharsets.UTF_8));
            assertThat(portal.kvStore().get("app/setting")).isPresent();
            try (HeldLock held = portal.lock("auth-lock").acquire(Duration.ofSeconds(10))) {
                assertThat(held.isHeld()).isTrue();
            }
            portal.registry().register(io.cloudportal.registry.ServiceInstance.of("svc", "i-1", "h", 1));
            assertThat(portal.registry().lookup("svc")).hasSize(1);
        }
    }

    @Test
    void aWrongPasswordFailsWithoutShowingIt() {
        assertThatThrownBy(() -> Portal.connect(server.url() + "/auth?user=root&password=wrong-pw-123&connectTimeout=5s"))
                .isInstanceOf(AccessDeniedException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong-pw-123").doesNotContain(PASSWORD))
                .satisfies(e -> assertThat(e.getMessage()).containsIgnoringCase("auth"));
    }
}
