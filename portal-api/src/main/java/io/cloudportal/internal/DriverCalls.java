package io.cloudportal.internal;

import io.cloudportal.PortalException;

/**
 * The last line of the error taxonomy: a driver maps its backend's errors, and whatever it
 * misses (a client library's {@code IllegalArgumentException}, a {@code NullPointerException})
 * reaches the user as a {@link PortalException} that names the driver and the call, with the
 * original as its cause, instead of escaping as a vendor or JDK exception.
 */
final class DriverCalls {

    /** A call into a driver. */
    @FunctionalInterface
    interface Call<T, E extends Exception> {
        T run() throws E;
    }

    private DriverCalls() {
    }

    static <T, E extends Exception> T guard(DefaultPortal portal, String operation, Call<T, E> call) throws E {
        try {
            return call.run();
        } catch (PortalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new PortalException("the " + portal.driverName() + " driver failed " + operation + " with an error it did not map: " + e, e);
        }
    }
}
