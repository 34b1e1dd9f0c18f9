package io.cloudportal.etcd;

import io.cloudportal.spi.BarrierCell;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;

/**
 * A barrier as the key {@code <root>/barriers/<name>}, as etcd's own {@code recipe.Barrier} keeps
 * one: present while set. A waiter reads it and watches from the revision after that read, so a
 * removal in between is seen.
 */
final class EtcdBarrier implements BarrierCell {

    private final EtcdConnection connection;
    private final String name;
    private final ByteSequence key;

    EtcdBarrier(EtcdConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.key = EtcdConnection.bytes(connection.key("barriers/" + name));
    }

    private KV kv() {
        return connection.client().getKVClient();
    }

    @Override
    public boolean set() {
        return connection.await("setting barrier '" + name + "'", kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, ByteSequence.EMPTY, PutOption.DEFAULT))
                .commit()).isSucceeded();
    }

    @Override
    public boolean remove() {
        return connection.await("removing barrier '" + name + "'", kv().delete(key)).getDeleted() > 0;
    }

    @Override
    public boolean isSet() {
        return read().getCount() > 0;
    }

    private GetResponse read() {
        return connection.await("reading barrier '" + name + "'", kv().get(key, GetOption.builder().withCountOnly(true).build()));
    }

    @Override
    public boolean awaitRemoved(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            GetResponse now = read();
            if (now.getCount() == 0) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            connection.awaitChange(key, now.getHeader().getRevision(), left);
        }
    }
}
