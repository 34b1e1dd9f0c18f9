package io.cloudportal.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.NotFoundException;
import io.cloudportal.ResyncRequiredException;
import io.cloudportal.UnavailableException;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The statuses jetcd fails with (as gRPC's own exceptions, wrapped or not) land in Portal's taxonomy. */
class EtcdErrorsTest {

    @Test
    void anOutageIsUnavailableHoweverJetcdWrapsIt() {
        var raw = Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();
        assertThat(EtcdErrors.map("put", raw)).isInstanceOf(UnavailableException.class).hasMessageContaining("UNAVAILABLE");
        assertThat(EtcdErrors.map("put", new CompletionException(raw))).isInstanceOf(UnavailableException.class);
        assertThat(EtcdErrors.map("put", new ExecutionException(new RuntimeException("wrapped", raw)))).isInstanceOf(UnavailableException.class);
        assertThat(EtcdErrors.map("put", Status.DEADLINE_EXCEEDED.asException())).isInstanceOf(UnavailableException.class);
        // What the full run met when a connection was cut under a Txn.
        assertThat(EtcdErrors.map("updating counter 'c'", Status.UNKNOWN.withDescription("channel closed").asRuntimeException()))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("lost during the request");
        assertThat(EtcdErrors.map("updating counter 'c'", Status.UNKNOWN.withDescription("raft: stopped").asRuntimeException()))
                .isInstanceOf(UnavailableException.class);
        assertThat(EtcdErrors.map("put", Status.UNKNOWN.withDescription("something else").asRuntimeException()))
                .isNotInstanceOf(UnavailableException.class);
    }

    @Test
    void aLeaseThatExpiredIsUnavailableAndOtherNotFoundsAreNotFound() {
        var lease = Status.NOT_FOUND.withDescription("etcdserver: requested lease not found").asRuntimeException();
        assertThat(EtcdErrors.map("lock", lease)).isInstanceOf(UnavailableException.class).hasMessageContaining("lease expired");
        assertThat(EtcdErrors.map("get", Status.NOT_FOUND.asRuntimeException())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void refusedCredentialsAndCompactedRevisionsHaveTheirOwnTypes() {
        assertThat(EtcdErrors.map("get", Status.UNAUTHENTICATED.asRuntimeException())).isInstanceOf(AccessDeniedException.class);
        assertThat(EtcdErrors.map("get", Status.PERMISSION_DENIED.asRuntimeException())).isInstanceOf(AccessDeniedException.class);
        assertThat(EtcdErrors.map("watch", Status.OUT_OF_RANGE.asRuntimeException())).isInstanceOf(ResyncRequiredException.class);
        var wrongPassword = Status.INVALID_ARGUMENT.withDescription("etcdserver: authentication failed, invalid user ID or password");
        assertThat(EtcdErrors.map("connecting", wrongPassword.asRuntimeException())).isInstanceOf(AccessDeniedException.class);
    }
}
