package io.cloudportal.etcd;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.NotFoundException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.ResyncRequiredException;
import io.cloudportal.UnavailableException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for jetcd's futures within a bound and maps what they fail with into Portal's taxonomy, keeping the cause. */
final class EtcdErrors {

    private EtcdErrors() {
    }

    /**
     * Waits for a jetcd call. On timeout the call is cancelled, so nothing keeps running for a caller that gave up.
     *
     * @throws UnavailableException if etcd could not be reached, or the wait was interrupted (the interrupt flag stays set)
     */
    static <T> T await(String operation, CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new UnavailableException(operation + " was interrupted", e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new PortalTimeoutException(operation + " did not complete within " + timeout
                    + " (option operationTimeout): etcd did not answer", e);
        } catch (ExecutionException e) {
            throw map(operation, e.getCause());
        }
    }

    static PortalException map(String operation, Throwable e) {
        if (e instanceof PortalException portal) {
            return portal;
        }
        if ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            return map(operation, e.getCause());
        }
        Status status = statusOf(e);
        if (status == null) {
            return new PortalException(operation + " failed: " + e, e);
        }
        String said = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        return switch (status.getCode()) {
            // FAILED_PRECONDITION and ABORTED come from a member that lost its leader or is between terms: a retry can succeed.
            case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED, FAILED_PRECONDITION, RESOURCE_EXHAUSTED ->
                    new UnavailableException(operation + " failed: etcd could not be reached or could not answer (" + said + ")", e);
            case NOT_FOUND -> said.contains("lease not found")
                    ? new UnavailableException(operation + " failed: the connection's lease expired before etcd took the request ("
                            + said + "); Portal grants a new lease, and a retry uses it", e)
                    : new NotFoundException(operation + " failed: etcd said " + said, e);
            case PERMISSION_DENIED, UNAUTHENTICATED ->
                    new AccessDeniedException(operation + " failed: etcd refused it (" + status.getCode() + "); check the etcd user, password and roles", e);
            case OUT_OF_RANGE -> new ResyncRequiredException(operation + " failed: etcd compacted the revision asked for (" + said + ")", e);
            // etcd answers a wrong user or password with INVALID_ARGUMENT.
            case INVALID_ARGUMENT -> said.contains("authentication failed")
                    ? new AccessDeniedException(operation + " failed: etcd refused the credentials (" + said + "); check the etcd user and password", e)
                    : new InvalidArgumentException(operation + " failed: etcd refused the request (" + said + ")");
            // gRPC says UNKNOWN when the channel closed under a call (a cut connection), and etcd when it was stopping
            // ("raft: stopped", a restart): an outage, the outcome unknown.
            case UNKNOWN -> transportLost(said)
                    ? new UnavailableException(operation + " failed: the connection to etcd was lost during the request (" + said + ")", e)
                    : new PortalException(operation + " failed: etcd said " + said, e);
            default -> new PortalException(operation + " failed: etcd said " + said, e);
        };
    }

    private static boolean transportLost(String said) {
        String lower = said.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("channel closed") || lower.contains("connection reset") || lower.contains("connection closed")
                || lower.contains("raft: stopped") || lower.contains("server stopped");
    }

    /** jetcd fails with its own EtcdException or with gRPC's exceptions, sometimes wrapped; both carry a gRPC status. */
    private static Status statusOf(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof EtcdException etcd) {
                return Status.fromCode(Status.Code.valueOf(etcd.getErrorCode().name())).withDescription(etcd.getMessage());
            }
            if (cause instanceof StatusRuntimeException || cause instanceof StatusException) {
                return Status.fromThrowable(cause);
            }
        }
        return null;
    }
}
