package io.cloudportal.spring;

import io.cloudportal.embedded.EmbeddedServer;
import io.cloudportal.embedded.EmbeddedZooKeeper;

class ZooKeeperSpringIT extends CoordinationBackendContract {

    @Override
    EmbeddedServer newServer() {
        return new EmbeddedZooKeeper();
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
