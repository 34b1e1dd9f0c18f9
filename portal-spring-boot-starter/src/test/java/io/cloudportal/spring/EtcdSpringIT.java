package io.cloudportal.spring;

import io.cloudportal.embedded.EmbeddedEtcd;
import io.cloudportal.embedded.EmbeddedServer;

class EtcdSpringIT extends CoordinationBackendContract {

    @Override
    EmbeddedServer newServer() {
        return new EmbeddedEtcd();
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
