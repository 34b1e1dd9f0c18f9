package io.cloudportal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An etcd cluster of child processes on loopback, for fault tests that stop one member while
 * clients keep working against the others. Members keep their data and ports across a stop.
 */
public final class EmbeddedEtcdCluster implements AutoCloseable {

    private final Path directory;
    private final List<EtcdMember> members = new ArrayList<>();

    /**
     * Prepares a cluster; call {@link #start()}.
     *
     * @param size the number of members, usually 3
     */
    public EmbeddedEtcdCluster(int size) {
        try {
            directory = Files.createTempDirectory("portal-etcd-cluster");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for etcd", e);
        }
        for (int i = 0; i < size; i++) {
            members.add(new EtcdMember("member-" + i, directory.resolve("member-" + i)));
        }
    }

    /** Starts every member and waits until each is healthy (has a leader). */
    public synchronized void start() {
        String initialCluster = members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
        String token = "portal-cluster-" + ProcessHandle.current().pid() + "-" + directory.getFileName();
        members.forEach(member -> member.start(initialCluster, token));
        members.forEach(member -> member.awaitHealthy(EmbeddedEtcd.START_TIMEOUT));
    }

    /**
     * The Portal URL naming every member.
     *
     * @return e.g. {@code etcd://127.0.0.1:2379,127.0.0.1:2381,127.0.0.1:2383}
     */
    public String url() {
        return "etcd://" + members.stream().map(EtcdMember::endpoint).collect(Collectors.joining(","));
    }

    /**
     * The client endpoint of one member.
     *
     * @param index the member, from 0
     * @return its {@code host:port}
     */
    public String endpoint(int index) {
        return members.get(index).endpoint();
    }

    /**
     * Stops one member ({@code SIGTERM}), keeping its data.
     *
     * @param index the member, from 0
     */
    public void stop(int index) {
        members.get(index).stop(false);
    }

    /**
     * Starts a stopped member again on its data and waits until it is healthy.
     *
     * @param index the member, from 0
     */
    public void restart(int index) {
        EtcdMember member = members.get(index);
        String initialCluster = members.stream().map(m -> m.name() + "=" + m.peerUrl()).collect(Collectors.joining(","));
        member.start(initialCluster, "ignored-once-initialised");
        member.awaitHealthy(EmbeddedEtcd.START_TIMEOUT);
    }

    /** Stops every member and deletes their data. */
    @Override
    public synchronized void close() {
        members.forEach(member -> member.stop(true));
        Files2.deleteRecursively(directory);
    }
}
