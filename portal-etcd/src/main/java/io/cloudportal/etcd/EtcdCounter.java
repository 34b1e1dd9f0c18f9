package io.cloudportal.etcd;

import io.cloudportal.ConflictException;
import io.cloudportal.spi.CounterCell;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A counter as the key {@code <root>/counters/<name>} holding the value in decimal, so
 * {@code etcdctl get} shows it and {@code etcdctl put} can set it; the version is the key's mod
 * revision (0: absent, as etcd compares a missing key). A swap is one {@code Txn} comparing it,
 * sent once: jetcd retries a {@code Txn} only when asked to, and Portal does not ask.
 */
final class EtcdCounter implements CounterCell {

    private final EtcdConnection connection;
    private final String name;
    private final ByteSequence key;

    EtcdCounter(EtcdConnection connection, String name) {
        this.connection = connection;
        this.name = name;
        this.key = EtcdConnection.bytes(connection.key("counters/" + name));
    }

    private KV kv() {
        return connection.client().getKVClient();
    }

    @Override
    public Reading read() {
        return reading(connection.await("reading counter '" + name + "'", kv().get(key)));
    }

    private Reading reading(GetResponse response) {
        return response.getKvs().stream().findFirst()
                .map(kv -> new Reading(decode(kv.getValue().toString(StandardCharsets.UTF_8)), kv.getModRevision()))
                .orElse(new Reading(0, 0));
    }

    /** A refused swap reads the key in its {@code Else}: under contention the next attempt needs no read of its own. */
    @Override
    public Optional<Reading> swap(long version, long value) {
        TxnResponse response = connection.await("updating counter '" + name + "'", kv().txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(version)))
                .Then(Op.put(key, ByteSequence.from(Long.toString(value), StandardCharsets.UTF_8), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit());
        return response.isSucceeded() ? Optional.empty() : Optional.of(reading(response.getGetResponses().get(0)));
    }

    private long decode(String text) {
        return decode(text, "counter '" + name + "'");
    }

    /** A value in decimal, as a counter's and a latch's key hold it (so etcdctl shows and sets it). */
    static long decode(String text, String what) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException notANumber) {
            throw new ConflictException(what + " holds '" + (text.length() > 40 ? text.substring(0, 40) + "…" : text)
                    + "', not a decimal long (Portal writes the value in decimal)", notANumber);
        }
    }
}
