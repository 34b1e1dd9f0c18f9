package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.Portal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Credentials against a server that checks them: the right ones open every facility the driver
 * provides, wrong ones are refused as {@link AccessDeniedException} (by the connect or by the
 * first request, whichever the server refuses), and no secret appears in an exception message,
 * a {@code toString()} or a log line of Portal's or the vendor client's at TRACE.
 */
public abstract class CredentialsContract extends ContractSupport {

    private Optional<Credentials> credentials() {
        Optional<Credentials> credentials = harness().credentials();
        if (credentials.isEmpty()) {
            notApplicable("the driver takes no credentials");
        }
        return credentials;
    }

    @Test
    void theRightCredentialsOpenEveryFacilityTheDriverProvides() {
        credentials().ifPresent(credentials -> assertThatCode(() -> {
            try (Portal portal = Portal.connect(credentials.url())) {
                SecretsProbe.use(portal, unique("credentials"));
                assertNoSecretIn(credentials, portal.toString());
            }
        }).doesNotThrowAnyException());
    }

    @Test
    void wrongCredentialsAreRefusedAsAccessDeniedNamingNoSecret() throws Exception {
        Optional<Credentials> found = credentials();
        if (found.isEmpty()) {
            return;
        }
        Credentials credentials = found.get();
        String name = unique("refused");
        try (Portal portal = Portal.connect(credentials.url())) {
            // Written with the right credentials: a server that admits anyone refuses a stranger what is not theirs.
            SecretsProbe.use(portal, name);
        }
        List<String> admitted = new ArrayList<>();
        Throwable refused = SecretsProbe.refusal(credentials.wrongUrl(), name, wrong -> admitted.add(wrong.toString()));
        assertThat(refused).as("wrong credentials were refused").isNotNull();
        assertThat(refused).as("the refusal").isInstanceOf(AccessDeniedException.class);
        for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
            assertNoSecretIn(credentials, String.valueOf(cause.getMessage()));
            assertNoSecretIn(credentials, cause.toString());
        }
        admitted.forEach(text -> assertNoSecretIn(credentials, text));
        figure("refused at", admitted.isEmpty() ? "connect" : "first request");
    }

    @Test
    void noSecretReachesALogLineAToStringOrAnException() throws Exception {
        Optional<Credentials> found = credentials();
        if (found.isEmpty()) {
            return;
        }
        Credentials credentials = found.get();
        String printed = SecretsProbe.assertNoSecretInAnyLogLine(credentials.url(), credentials.wrongUrl(), credentials.secrets(),
                credentials.probeJvmOptions());
        assertThat(printed).contains("PROBE REFUSED AccessDeniedException");
        assertThat(printed).as("the vendor client's own log was read").contains(credentials.probeShows());
    }

    private static void assertNoSecretIn(Credentials credentials, String text) {
        for (String secret : credentials.secrets()) {
            assertThat(text).as("a text shown to users").doesNotContain(secret);
        }
    }
}
