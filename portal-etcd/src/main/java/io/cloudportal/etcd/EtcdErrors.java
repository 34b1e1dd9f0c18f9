package io.cloudportal.etcd;

import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
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
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
            return map(operation, e.getCause());
        }
        if (e instanceof EtcdException etcd) {
            ErrorCode code = etcd.getErrorCode();
            return switch (code) {
                case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED ->
                        new UnavailableException(operation + " failed: etcd could not be reached (" + code + ")", e);
                case PERMISSION_DENIED, UNAUTHENTICATED ->
                        new PortalException(operation + " failed: not authorised (check the etcd user, password and roles)", e);
                default -> new PortalException(operation + " failed: etcd said " + code + ": " + etcd.getMessage(), e);
            };
        }
        return new PortalException(operation + " failed: " + e, e);
    }
}
