package io.cloudportal.tck;

import io.cloudportal.Capabilities;
import io.cloudportal.Guarantee;
import io.cloudportal.Portal;
import io.cloudportal.spi.Limits;
import io.cloudportal.spi.PortalDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every contract shares: connections that are closed after each test, unique names so
 * tests never see each other's state, the figures a test reports, and the outcome of a test
 * that a declaration makes not applicable or a fixture cannot run.
 */
@ExtendWith(ConformanceReporter.class)
public abstract class ContractSupport {

    /** How long a contract waits for a condition that a correct driver meets at once. */
    protected static final Duration PATIENCE = Duration.ofSeconds(60);

    private static final Logger LOG = LoggerFactory.getLogger(ContractSupport.class);

    final Map<String, Object> figures = new LinkedHashMap<>();
    String notApplicable;
    String notRun;
    private final List<Portal> opened = new ArrayList<>();
    private Capabilities capabilities;

    /**
     * The driver's harness.
     *
     * @return the harness, typically a shared static instance
     */
    protected abstract TckHarness harness();

    /**
     * Opens a connection that is closed after the test.
     *
     * @return the connection
     */
    protected Portal open() {
        Portal portal = harness().connect();
        synchronized (opened) {
            opened.add(portal);
        }
        return portal;
    }

    /**
     * Opens a connection with extra options, closed after the test.
     *
     * @param options e.g. a short {@code operationTimeout}
     * @return the connection
     */
    protected Portal open(Map<String, String> options) {
        Portal portal = harness().connect(options);
        synchronized (opened) {
            opened.add(portal);
        }
        return portal;
    }

    /**
     * A name no other test uses.
     *
     * @param base a readable stem
     * @return the stem with a unique suffix
     */
    protected static String unique(String base) {
        return base + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Records a figure for the conformance report.
     *
     * @param name e.g. {@code lost}
     * @param value the measured value
     */
    protected void figure(String name, Object value) {
        figures.put(name, value);
    }

    /**
     * The driver's declaration.
     *
     * @return its capabilities
     */
    protected Capabilities capabilities() {
        if (capabilities == null) {
            capabilities = open().capabilities();
        }
        return capabilities;
    }

    /**
     * The driver's input limits, which define "the longest" and "too long" in the contracts.
     *
     * @return the limits the driver declares
     */
    protected Limits limits() {
        return driver().limits();
    }

    /** The driver's declaration, read without connecting: what {@link FacilityGate} asks before a test runs. */
    Capabilities declared() {
        return driver().capabilities();
    }

    private PortalDriver driver() {
        for (PortalDriver driver : ServiceLoader.load(PortalDriver.class)) {
            if (driver.name().equals(harness().driverName())) {
                return driver;
            }
        }
        throw new AssertionError("no driver named " + harness().driverName() + " on the classpath");
    }

    /**
     * Tells whether the driver declares a guarantee.
     *
     * @param guarantee the guarantee
     * @return true if declared
     */
    protected boolean declares(Guarantee guarantee) {
        return capabilities().gives(guarantee);
    }

    /**
     * Marks this test as not applicable because of the driver's declaration.
     *
     * @param why which declaration, in words
     */
    protected void notApplicable(String why) {
        notApplicable = why;
    }

    /**
     * Tells whether the fixture can inject a fault; if not, the test is reported as not run.
     *
     * @param fault the fault the scenario needs
     * @return true if the scenario can run
     */
    protected boolean canInject(Fault fault) {
        if (harness().faults().contains(fault)) {
            return true;
        }
        notRun = "the " + harness().driverName() + " fixture cannot inject " + fault;
        return false;
    }

    /**
     * Runs one call against a server that does not answer: it may finish, or fail with the type
     * its contract names, and either way within the bound; anything else fails the test.
     *
     * @param call the call's name, for the figure and the failure
     * @param bound how long the call may take at most
     * @param expected the failure the call's contract allows
     * @param action the call, returning how it finished
     * @return {@code call=outcome@millis}, for the conformance report
     */
    static String withinBound(String call, Duration bound, Class<? extends Exception> expected, java.util.concurrent.Callable<String> action) {
        long start = System.nanoTime();
        String outcome;
        try {
            outcome = action.call();
        } catch (Exception e) {
            if (!expected.isInstance(e)) {
                throw new AssertionError(call + " while the server does not answer failed outside its contract: " + e, e);
            }
            outcome = e.getClass().getSimpleName();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        org.assertj.core.api.Assertions.assertThat(took).as("%s while the server does not answer (%s)", call, outcome)
                .isLessThanOrEqualTo(bound);
        return call + "=" + outcome + "@" + took.toMillis() + "ms";
    }

    @AfterEach
    void closeOpened() {
        List<Portal> toClose;
        synchronized (opened) {
            toClose = new ArrayList<>(opened);
            opened.clear();
        }
        for (Portal portal : toClose) {
            try {
                portal.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing {} after the test failed", portal, e);
            }
        }
    }
}
