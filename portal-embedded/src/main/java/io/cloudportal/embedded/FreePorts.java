package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback ports for servers that must be told their port before they start. */
public final class FreePorts {

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /**
     * A port that was free on 127.0.0.1 a moment ago. Another process may take it before the
     * server binds; fixtures retry their start on a bind failure.
     *
     * @return the port
     */
    public static int next() {
        // The kernel may give the port it just gave back again: an etcd cluster asks for nine in a row, and two
        // members on one port made one exit at start in a full run. Never hand out a port twice in this JVM.
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no loopback port this JVM has not handed out already, after 100 tries");
    }
}
