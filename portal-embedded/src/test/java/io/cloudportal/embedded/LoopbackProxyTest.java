package io.cloudportal.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LoopbackProxyTest {

    private ServerSocket echoServer;
    private ExecutorService echoThreads;
    private LoopbackProxy proxy;

    @BeforeEach
    void startEchoServerAndProxy() throws IOException {
        echoServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThreads = Executors.newCachedThreadPool();
        echoThreads.execute(() -> {
            while (!echoServer.isClosed()) {
                try {
                    Socket socket = echoServer.accept();
                    echoThreads.execute(() -> echo(socket));
                } catch (IOException closed) {
                    return;
                }
            }
        });
        proxy = LoopbackProxy.to("127.0.0.1", echoServer.getLocalPort());
    }

    private static void echo(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ended) {
            // client went away
        }
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echoServer.close();
        echoThreads.shutdownNow();
    }

    private Socket client() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(2_000);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes());
        socket.getOutputStream().flush();
        byte[] answer = new byte[text.length()];
        new DataInputStream(socket.getInputStream()).readFully(answer);
        return new String(answer);
    }

    @Test
    void passForwardsBothWays() throws IOException {
        try (Socket socket = client()) {
            assertThat(roundTrip(socket, "hello")).isEqualTo("hello");
            assertThat(roundTrip(socket, "again")).isEqualTo("again");
        }
    }

    @Test
    void anOrderlyCloseIsPassedOnAfterEveryByteBeforeIt() throws IOException {
        byte[] sent = new byte[1 << 20];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) i;
        }
        try (Socket socket = client()) {
            // Written and half-closed before the echo is read: a proxy that resets on the client's FIN loses the tail.
            echoThreads.execute(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] echoed = socket.getInputStream().readAllBytes();
            assertThat(echoed).as("what came back before the server's own orderly close").isEqualTo(sent);
        }
    }

    @Test
    void cutResetsOpenConnectionsAndRefusesNewOnesUntilPass() throws IOException {
        try (Socket socket = client()) {
            assertThat(roundTrip(socket, "before")).isEqualTo("before");
            proxy.cut();
            assertThatThrownBy(() -> roundTrip(socket, "during")).isInstanceOf(IOException.class);
        }
        // Refused at connect or at the first read, whichever the reset reaches first.
        assertThatThrownBy(() -> {
            try (Socket refused = client()) {
                roundTrip(refused, "new");
            }
        }).isInstanceOf(IOException.class);
        proxy.pass();
        try (Socket socket = client()) {
            assertThat(roundTrip(socket, "after")).isEqualTo("after");
        }
    }

    @Test
    void blackholeKeepsConnectionsOpenButDeliversNothing() throws IOException {
        try (Socket socket = client()) {
            assertThat(roundTrip(socket, "before")).isEqualTo("before");
            proxy.blackhole();
            socket.setSoTimeout(300);
            assertThatThrownBy(() -> roundTrip(socket, "lost")).isInstanceOf(SocketTimeoutException.class);
            assertThat(socket.isClosed()).isFalse();
        }
        proxy.pass();
        try (Socket socket = client()) {
            assertThat(roundTrip(socket, "after")).isEqualTo("after");
        }
    }

    @Test
    void closeStopsItsThreads() {
        int port = proxy.port();
        proxy.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith("portal-proxy-" + port + "-")));
    }
}
