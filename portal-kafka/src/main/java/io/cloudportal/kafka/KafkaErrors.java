package io.cloudportal.kafka;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.PortalException;
import io.cloudportal.PortalTimeoutException;
import io.cloudportal.UnavailableException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

/** Turns kafka-clients exceptions into Portal's, keeping the cause and naming the operation. */
final class KafkaErrors {

    private KafkaErrors() {
    }

    static PortalException map(String operation, Throwable e) {
        Throwable cause = unwrap(e);
        if (cause instanceof PortalException portal) {
            return portal;
        }
        String message = operation + " failed: " + cause.getMessage();
        if (cause instanceof TimeoutException) {
            return new PortalTimeoutException(operation + " timed out: " + cause.getMessage(), cause);
        }
        if (cause instanceof RecordTooLargeException || cause instanceof InvalidTopicException) {
            return new InvalidArgumentException(message, cause);
        }
        if (cause instanceof SslAuthenticationException) {
            // Kafka files a failed TLS handshake under authentication; with Portal it is the client's trust that failed.
            return new UnavailableException(operation + " failed: the TLS handshake did not succeed: " + cause.getMessage()
                    + " (check 'tlsCa': it must hold the CA that signed the broker's certificate, which must name the host)", cause);
        }
        if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
            return new AccessDeniedException(message + " (check 'user', 'password', 'saslMechanism' and the broker's ACLs)", cause);
        }
        if (cause instanceof RetriableException) {
            return new UnavailableException(message, cause);
        }
        return new PortalException(message, cause);
    }

    static Throwable unwrap(Throwable e) {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
