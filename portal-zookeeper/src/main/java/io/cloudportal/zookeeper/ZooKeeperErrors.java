package io.cloudportal.zookeeper;

import io.cloudportal.AccessDeniedException;
import io.cloudportal.AlreadyExistsException;
import io.cloudportal.NotFoundException;
import io.cloudportal.PortalException;
import io.cloudportal.UnavailableException;
import org.apache.zookeeper.KeeperException;

/** Maps what Curator and ZooKeeper throw into Portal's taxonomy, keeping the cause. */
final class ZooKeeperErrors {

    private ZooKeeperErrors() {
    }

    static PortalException map(String operation, Exception e) {
        if (e instanceof PortalException portal) {
            return portal;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new UnavailableException(operation + " was interrupted", e);
        }
        if (e instanceof KeeperException keeper) {
            return switch (keeper.code()) {
                case CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED, OPERATIONTIMEOUT ->
                        new UnavailableException(operation + " failed: ZooKeeper could not be reached (" + keeper.code() + ")", e);
                case NONODE -> new NotFoundException(operation + " failed: " + keeper.getPath() + " does not exist", e);
                case NODEEXISTS -> new AlreadyExistsException(operation + " failed: " + keeper.getPath() + " exists already", e);
                case NOAUTH, AUTHFAILED -> new AccessDeniedException(operation + " failed: ZooKeeper refused it (" + keeper.code() + "); check the digest user, password and ACLs", e);
                default -> new PortalException(operation + " failed: ZooKeeper said " + keeper.code(), e);
            };
        }
        return new PortalException(operation + " failed: " + e, e);
    }
}
