package io.cloudportal.etcd;

import io.cloudportal.spi.LatchCell;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A latch as the key {@code <root>/latches/<name>} holding the count in decimal, and one key per
 * count-down of the current round under {@code <root>/latches/<name>/}, named by its identity.
 * A count-down is one {@code Txn}: the count's mod revision as read and the identity's absence
 * compared, the decrement and the identity put. Setting a count deletes the last round's
 * identities in the same {@code Txn}.
 */
final class EtcdCountDownLatch implements LatchCell {

    private final EtcdConnection connection;
    private final String name;
    private final ByteSequence key;
    private final String identities;

    EtcdCountDownLatch(EtcdConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        String path = connection.key("latches/" + name);
        this.key = EtcdConnection.bytes(path);
        this.identities = path + "/";
    }

    private KV kv() {
        return connection.client().getKVClient();
    }

    private record Read(long count, long revision, long headerRevision) {
    }

    private Read read() {
        GetResponse response = connection.await("reading latch '" + name + "'", kv().get(key));
        long header = response.getHeader().getRevision();
        return response.getKvs().stream().findFirst()
                .map(kv -> new Read(decode(kv.getValue().toString(StandardCharsets.UTF_8)), kv.getModRevision(), header))
                .orElse(new Read(0, 0, header));
    }

    private long decode(String text) {
        return EtcdCounter.decode(text, "latch '" + name + "'");
    }

    @Override
    public long count() {
        return read().count();
    }

    @Override
    public boolean trySetCount(long count) {
        ByteSequence prefix = EtcdConnection.bytes(identities);
        while (true) {
            Read now = read();
            if (now.count() > 0) {
                return false;
            }
            TxnResponse response = connection.await("setting the count of latch '" + name + "'", kv().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(now.revision())))
                    .Then(Op.put(key, ByteSequence.from(Long.toString(count), StandardCharsets.UTF_8), PutOption.DEFAULT),
                            Op.delete(prefix, DeleteOption.builder().isPrefix(true).build()))
                    .commit());
            if (response.isSucceeded()) {
                return true;
            }
        }
    }

    @Override
    public CountDown countDown(String identity, boolean again) {
        ByteSequence mine = EtcdConnection.bytes(identities + identity);
        while (true) {
            Read now = read();
            if (now.count() == 0) {
                return again && exists(mine) ? CountDown.APPLIED_BEFORE : CountDown.AT_ZERO;
            }
            TxnResponse response = connection.await("counting down latch '" + name + "'", kv().txn()
                    .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(now.revision())),
                            new Cmp(mine, Cmp.Op.EQUAL, CmpTarget.createRevision(0)))
                    .Then(Op.put(key, ByteSequence.from(Long.toString(now.count() - 1), StandardCharsets.UTF_8), PutOption.DEFAULT),
                            Op.put(mine, ByteSequence.EMPTY, PutOption.DEFAULT))
                    .Else(Op.get(mine, GetOption.builder().withCountOnly(true).build()))
                    .commit());
            if (response.isSucceeded()) {
                return CountDown.APPLIED;
            }
            if (response.getGetResponses().get(0).getCount() > 0) {
                return CountDown.APPLIED_BEFORE;
            }
        }
    }

    private boolean exists(ByteSequence identity) {
        return connection.await("reading latch '" + name + "'", kv().get(identity, GetOption.builder().withCountOnly(true).build()))
                .getCount() > 0;
    }

    @Override
    public boolean awaitZero(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Read now = read();
            if (now.count() == 0) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            // From the revision after the read: a change between the read and the watch is delivered too.
            connection.awaitChange(key, now.headerRevision(), left);
        }
    }

    @Override
    public boolean delete() {
        TxnResponse response = connection.await("deleting latch '" + name + "'", kv().txn()
                .Then(Op.delete(key, DeleteOption.DEFAULT),
                        Op.delete(EtcdConnection.bytes(identities), DeleteOption.builder().isPrefix(true).build()))
                .commit());
        return response.getDeleteResponses().get(0).getDeleted() > 0;
    }
}
