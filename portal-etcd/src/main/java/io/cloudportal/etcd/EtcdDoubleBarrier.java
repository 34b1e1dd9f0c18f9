package io.cloudportal.etcd;

import io.cloudportal.spi.DoubleBarrierCell;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A double barrier as etcd's own {@code recipe.DoubleBarrier} keeps one, under
 * {@code <root>/double-barriers/<name>}: a key {@code waiters/<member>} per member on the
 * connection's session lease, and a key {@code ready} put by the member that completes the count.
 * The marker's revision is its mod revision, as the recipe's waiters wait for a put on it after
 * their own key: a marker nobody cleared is renewed by a put, never by a delete and a create.
 */
final class EtcdDoubleBarrier implements DoubleBarrierCell {

    private final EtcdConnection connection;
    private final String name;
    private final String prefix;
    private final ByteSequence under;
    private final ByteSequence ready;

    EtcdDoubleBarrier(EtcdConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.prefix = connection.key("double-barriers/" + name) + "/";
        this.under = EtcdConnection.bytes(prefix);
        this.ready = EtcdConnection.bytes(prefix + "ready");
    }

    private KV kv() {
        return connection.client().getKVClient();
    }

    private ByteSequence entry(String member) {
        return EtcdConnection.bytes(prefix + "waiters/" + member);
    }

    @Override
    public long join(String member) {
        ByteSequence key = entry(member);
        PutOption onTheSession = PutOption.builder().withLeaseId(connection.session().lease().id()).build();
        TxnResponse response = connection.await("entering double barrier '" + name + "'", kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                .Then(Op.put(key, ByteSequence.EMPTY, onTheSession))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit());
        if (response.isSucceeded()) {
            return response.getHeader().getRevision();
        }
        // An earlier try's put landed although its answer was lost.
        return response.getGetResponses().get(0).getKvs().get(0).getCreateRevision();
    }

    @Override
    public View read() {
        GetResponse response = connection.await("reading double barrier '" + name + "'",
                kv().get(under, GetOption.builder().isPrefix(true).withKeysOnly(true).build()));
        Set<String> members = new HashSet<>();
        long readyRevision = 0;
        for (KeyValue kv : response.getKvs()) {
            String rest = kv.getKey().toString(StandardCharsets.UTF_8).substring(prefix.length());
            if (rest.equals("ready")) {
                readyRevision = kv.getModRevision();
            } else if (rest.startsWith("waiters/")) {
                members.add(rest.substring("waiters/".length()));
            }
        }
        return new View(members, readyRevision, response.getHeader().getRevision());
    }

    @Override
    public void awaitChange(View since, Duration timeout) throws InterruptedException {
        connection.awaitChangeUnder(under, since.revision(), timeout.toNanos());
    }

    @Override
    public long markReady(long after) {
        TxnResponse response = connection.await("marking double barrier '" + name + "' ready", kv().txn()
                .If(new Cmp(ready, Cmp.Op.GREATER, CmpTarget.modRevision(after)))
                .Then(Op.get(ready, GetOption.DEFAULT))
                .Else(Op.put(ready, ByteSequence.EMPTY, PutOption.DEFAULT))
                .commit());
        if (response.isSucceeded()) {
            return response.getGetResponses().get(0).getKvs().get(0).getModRevision();
        }
        return response.getHeader().getRevision();
    }

    @Override
    public void withdraw(String member) {
        connection.await("leaving double barrier '" + name + "'", kv().delete(entry(member)));
    }

    @Override
    public void clearReady(long readyRevision) {
        connection.await("clearing double barrier '" + name + "'", kv().txn()
                .If(new Cmp(ready, Cmp.Op.EQUAL, CmpTarget.modRevision(readyRevision)))
                .Then(Op.delete(ready, io.etcd.jetcd.options.DeleteOption.DEFAULT))
                .commit());
    }
}
