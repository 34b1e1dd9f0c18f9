package io.cloudportal.embedded;

/**
 * A server someone else runs, named by an environment variable such as
 * {@code PORTAL_TEST_ETCD_URL}: the fixture only hands out its URL and never stops it.
 */
public final class ExternalServer implements EmbeddedServer {

    private final String url;

    /**
     * Wraps the URL of an existing server.
     *
     * @param url its Portal URL
     */
    public ExternalServer(String url) {
        this.url = url;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public void start() {
        // Already running: it is not ours to start.
    }

    @Override
    public void stop() {
        // Not ours to stop.
    }

    @Override
    public void restart() {
        throw new UnsupportedOperationException("cannot restart an external server (" + io.cloudportal.spi.Redaction.redactUrl(url)
                + "); unset the environment variable to let the fixture run its own");
    }

    @Override
    public boolean isRunning() {
        return true;
    }

    @Override
    public boolean canInjectFaults() {
        return false;
    }

    @Override
    public void close() {
        // Not ours to close.
    }

    @Override
    public String toString() {
        return "ExternalServer[" + io.cloudportal.spi.Redaction.redactUrl(url) + "]";
    }
}
