package io.cloudportal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class EmbeddedServersTest {

    /** A stand-in "local server" that only records that it was started: the choice, not a backend, is under test. */
    private static final class StartRecorder implements EmbeddedServer {
        final AtomicBoolean started = new AtomicBoolean();

        @Override
        public String url() {
            return "memory://local";
        }

        @Override
        public void start() {
            started.set(true);
        }

        @Override
        public void stop() {
            started.set(false);
        }

        @Override
        public boolean isRunning() {
            return started.get();
        }

        @Override
        public boolean canInjectFaults() {
            return true;
        }

        @Override
        public void close() {
            stop();
        }
    }

    private static EmbeddedServers.Spec spec(StartRecorder local, boolean binaryInstalled) {
        return new EmbeddedServers.Spec("etcd", () -> local, () -> binaryInstalled,
                "install the Debian package etcd-server (apt-get install etcd-server)", Optional.empty());
    }

    @Test
    void theEnvironmentVariableWinsAndItsServerIsNeverStopped() {
        StartRecorder local = new StartRecorder();
        EmbeddedServer server = EmbeddedServers.start(spec(local, true), Map.of("PORTAL_TEST_ETCD_URL", "etcd://10.1.2.3:2379"), () -> false);
        assertThat(server.url()).isEqualTo("etcd://10.1.2.3:2379");
        assertThat(server.canInjectFaults()).isFalse();
        assertThat(local.started).isFalse();
        assertThatThrownBy(server::restart).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("external server");
    }

    @Test
    void aLocalServerIsStartedWhenItCanRunHere() {
        StartRecorder local = new StartRecorder();
        EmbeddedServer server = EmbeddedServers.start(spec(local, true), Map.of(), () -> false);
        assertThat(server).isSameAs(local);
        assertThat(local.started).isTrue();
    }

    @Test
    void withoutBinaryOverrideOrDockerTheErrorSaysHowToGetAServer() {
        assertThatThrownBy(() -> EmbeddedServers.start(spec(new StartRecorder(), false), Map.of(), () -> false))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apt-get install etcd-server")
                .hasMessageContaining("PORTAL_TEST_ETCD_URL");
    }

    @Test
    void theOverrideVariableIsNamedAfterTheTechnology() {
        assertThat(EmbeddedServers.overrideVariable("rabbitmq")).isEqualTo("PORTAL_TEST_RABBITMQ_URL");
        assertThat(EmbeddedServers.overrideVariable("zookeeper")).isEqualTo("PORTAL_TEST_ZOOKEEPER_URL");
    }
}
