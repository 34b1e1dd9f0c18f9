package io.cloudportal.spring;

import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

class EtcdSpringIT extends CoordinationBackendContract {

    private static EmbeddedEtcd server;

    @BeforeAll
    static void start() {
        server = new EmbeddedEtcd();
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
        return new String[] {"portal.options.leaseTtl=6s"};
    }

    @Override
    boolean expiresWhileUnreachable() {
        return false;
    }
}
