package io.cloudportal.spring;

import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.EmbeddedZooKeeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class ZooKeeperSpringIT extends CoordinationBackendContract {

    private static EmbeddedZooKeeper server;

    @BeforeAll
    static void start() {
        server = new EmbeddedZooKeeper();
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    EmbeddedServer server() {
        return server;
    }

    @Override
    String[] sessionOptions() {
        return new String[] {"portal.options.sessionTimeout=4s", "portal.options.connectionTimeout=2s"};
    }

    @Override
    boolean expiresWhileUnreachable() {
        return true;
    }
}
