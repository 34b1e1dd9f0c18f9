package io.cloudportal.spring.autoconfigure;

import io.cloudportal.spring.PortalStartupException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Boot's startup report for a connection that could not be opened: the property, what is wrong, what to do. */
public final class PortalStartupFailureAnalyzer extends AbstractFailureAnalyzer<PortalStartupException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, PortalStartupException cause) {
        return new FailureAnalysis("A Portal connection could not be opened: " + cause.getMessage(),
                "Fix " + cause.property() + " (the README's driver sections list each scheme's URL and options), "
                        + "or check that the backend it names is running and reachable.", cause);
    }
}
