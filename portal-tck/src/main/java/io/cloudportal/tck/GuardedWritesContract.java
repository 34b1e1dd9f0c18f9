package io.cloudportal.tck;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Facility;
import io.cloudportal.Guarantee;
import io.cloudportal.InvalidArgumentException;
import io.cloudportal.LeadershipLostException;
import io.cloudportal.LockLostException;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.kv.GuardedWrites;
import io.cloudportal.kv.KeyValue;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Single-key writes guarded by a held lock, a permit or a leader's term ({@link GuardedWrites}):
 * each behaves as its unguarded twin while the guard holds, and once the guard was lost on the
 * server every one of them is refused and writes nothing, whatever its own condition would have
 * said. A driver without {@link Guarantee#KV_TRANSACTIONS} is proven to refuse them.
 */
@Requires(Facility.KV_STORE)
public abstract class GuardedWritesContract extends ContractSupport {

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** False, with the absence proven, where the driver gives no transactions (and so no guarded writes). */
    private boolean guardable(Portal portal) throws InterruptedException {
        if (!declares(Guarantee.KV_TRANSACTIONS)) {
            if (portal.capabilities().provides(Facility.LOCK)) {
                HeldLock held = portal.lock(unique("unguardable")).acquire(PATIENCE);
                assertThatThrownBy(() -> portal.kvStore().guardedBy(held)).isInstanceOf(UnsupportedFacilityException.class);
                held.close();
            }
            notApplicable("the driver does not declare KV_TRANSACTIONS (and refuses guarded writes)");
            return false;
        }
        if (!portal.capabilities().provides(Facility.LOCK)) {
            notApplicable("the driver provides no LOCK to guard with");
            return false;
        }
        return true;
    }

    @Test
    void guardedWritesBehaveAsTheirUnguardedTwinsWhileTheLockIsHeld() throws Exception {
        Portal portal = open();
        if (!guardable(portal)) {
            return;
        }
        String root = unique("guarded");
        KvStore kv = portal.kvStore();
        try (HeldLock held = portal.lock(root).acquire(PATIENCE)) {
            GuardedWrites fenced = kv.guardedBy(held);
            KeyValue first = fenced.put(root + "/a", bytes("1"));
            assertThat(kv.get(root + "/a")).hasValueSatisfying(read -> {
                assertThat(read.valueAsString()).isEqualTo("1");
                assertThat(read.version()).isEqualTo(first.version());
            });
            KeyValue second = fenced.put(root + "/a", bytes("2"));
            assertThat(second.version()).isGreaterThan(first.version());
            assertThat(fenced.compareAndSet(root + "/a", first.version(), bytes("stale"))).as("a stale version").isEmpty();
            Optional<KeyValue> swapped = fenced.compareAndSet(root + "/a", second.version(), bytes("3"));
            assertThat(swapped).as("the current version").hasValueSatisfying(kvs -> assertThat(kvs.valueAsString()).isEqualTo("3"));
            assertThat(kv.get(root + "/a").orElseThrow().version()).isEqualTo(swapped.orElseThrow().version());
            assertThat(fenced.compareAndSet(root + "/b", 0, bytes("created"))).as("version 0: create").isPresent();
            assertThat(fenced.compareAndSet(root + "/b", 0, bytes("again"))).as("version 0 of a present key").isEmpty();
            assertThat(fenced.delete(root + "/b")).as("deleting a present key").isTrue();
            assertThat(fenced.delete(root + "/b")).as("deleting an absent key").isFalse();
            if (declares(Guarantee.KV_TTL)) {
                assertThat(fenced.put(root + "/ttl", bytes("t"), Duration.ofSeconds(30)).valueAsString()).isEqualTo("t");
            }
            // Many writes to one key through the same view: each commits, each a new version.
            long last = swapped.orElseThrow().version();
            for (int i = 0; i < 20; i++) {
                KeyValue next = fenced.put(root + "/a", bytes("n" + i));
                assertThat(next.version()).isGreaterThan(last);
                last = next.version();
            }
            assertThat(kv.get(root + "/a").orElseThrow().valueAsString()).isEqualTo("n19");
            assertThat(kv.list(root)).extracting(KeyValue::key).contains(root + "/a").doesNotContain(root + "/b");
        }
    }

    /**
     * A holder whose session expired, while another client took its lock: each kind of guarded
     * write is refused, also a compare-and-set whose version is stale and a delete of an absent
     * key (the lost guard is the answer first), and the keys are as they were.
     */
    @Test
    void everyGuardedWriteOfAHolderWhoseLockWasTakenOverIsRefusedAndWritesNothing() throws Exception {
        if (!canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        Portal holder = open();
        if (!guardable(holder)) {
            return;
        }
        String name = unique("taken-over");
        HeldLock held = holder.lock(name).acquire(PATIENCE);
        GuardedWrites fenced = holder.kvStore().guardedBy(held);
        KeyValue a = fenced.put(name + "/a", bytes("while held"));
        fenced.put(name + "/b", bytes("while held"));
        Portal observer = open();
        Map<String, String> before = values(observer.kvStore(), name);

        harness().inject(Fault.SESSION_EXPIRY, holder);
        Portal successor = open();
        try (HeldLock next = successor.lock(name).acquire(PATIENCE)) {
            Map<String, Function<GuardedWrites, Object>> writes = new LinkedHashMap<>();
            writes.put("put", w -> w.put(name + "/a", bytes("stale")));
            writes.put("put of a new key", w -> w.put(name + "/new", bytes("stale")));
            writes.put("compareAndSet at the current version", w -> w.compareAndSet(name + "/a", a.version(), bytes("stale")));
            writes.put("compareAndSet at a stale version", w -> w.compareAndSet(name + "/a", a.version() - 1, bytes("stale")));
            writes.put("delete", w -> w.delete(name + "/b"));
            writes.put("delete of an absent key", w -> w.delete(name + "/absent"));
            if (declares(Guarantee.KV_TTL)) {
                writes.put("put with a ttl", w -> w.put(name + "/a", bytes("stale"), Duration.ofSeconds(30)));
            }
            int staleAccepted = 0;
            for (Map.Entry<String, Function<GuardedWrites, Object>> write : writes.entrySet()) {
                try {
                    Object outcome = write.getValue().apply(fenced);
                    staleAccepted++;
                    throw new AssertionError(write.getKey() + " of a holder whose lock was taken over returned " + outcome);
                } catch (LockLostException expected) {
                    assertThat(expected).as(write.getKey()).hasMessageContaining(name);
                }
            }
            figure("stale writes accepted", staleAccepted);
            assertThat(values(observer.kvStore(), name)).as("the keys after the refused writes").isEqualTo(before);
            assertThat(successor.kvStore().guardedBy(next).put(name + "/a", bytes("new holder")).valueAsString()).isEqualTo("new holder");
        }
    }

    @Test
    void aPermitGuardsWritesUntilItIsReleased() throws Exception {
        Portal portal = open();
        if (!guardable(portal) || !portal.capabilities().provides(Facility.SEMAPHORE)) {
            notApplicable("the driver provides no SEMAPHORE whose permits could guard a write");
            return;
        }
        String name = unique("permit-guard");
        HeldLock permit = portal.semaphore(name, 2).acquire(PATIENCE);
        GuardedWrites fenced = portal.kvStore().guardedBy(permit);
        assertThat(fenced.put(name + "/slot", bytes("mine")).valueAsString()).isEqualTo("mine");
        permit.close();
        assertThatThrownBy(() -> fenced.put(name + "/slot", bytes("after release"))).as("a write guarded by a released permit")
                .isInstanceOf(LockLostException.class);
        assertThat(portal.kvStore().get(name + "/slot").orElseThrow().valueAsString()).isEqualTo("mine");
        assertThatThrownBy(() -> portal.kvStore().guardedBy(permit)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("released");
    }

    /**
     * A view is bound to the term its candidacy led in when it was made: after the leader lost its
     * session and was elected again, the old view's writes are refused and a new view's commit.
     */
    @Test
    void aLeadersViewIsBoundToItsTermAndRefusedOnceTheTermEnded() throws Exception {
        if (!canInject(Fault.SESSION_EXPIRY)) {
            return;
        }
        Portal first = open();
        if (!declares(Guarantee.KV_TRANSACTIONS) || !first.capabilities().provides(Facility.LEADER_ELECTION)) {
            notApplicable("the driver has no transactions or no leader election to guard a write with");
            return;
        }
        String election = unique("term-guard");
        String key = election + "/fenced";
        Candidacy leader = first.leaderElection(election).join("first", event -> { });
        assertThat(leader.awaitLeadership(PATIENCE)).isTrue();
        long firstTerm = leader.term().orElseThrow();
        GuardedWrites firstTermWrites = first.kvStore().guardedBy(leader);
        assertThat(firstTermWrites.put(key, bytes("term 1")).valueAsString()).isEqualTo("term 1");

        Portal second = open();
        Candidacy other = second.leaderElection(election).join("second", event -> { });
        assertThatThrownBy(() -> second.kvStore().guardedBy(other)).as("a follower's view")
                .isInstanceOf(LeadershipLostException.class);
        harness().inject(Fault.SESSION_EXPIRY, first);
        // Whoever is elected next, the first candidate is to lead again, in a later term: the other steps down once it leads.
        await().atMost(PATIENCE).until(() -> {
            if (other.isLeader()) {
                other.close();
            }
            return leader.term().filter(term -> term > firstTerm).isPresent();
        });
        int staleAccepted = 0;
        try {
            firstTermWrites.put(key, bytes("stale term"));
            staleAccepted = 1;
        } catch (LeadershipLostException refused) {
            assertThat(refused).hasMessageContaining("no longer leads");
        }
        figure("stale writes accepted", staleAccepted);
        assertThat(staleAccepted).as("writes of a term that ended, accepted").isZero();
        assertThat(first.kvStore().guardedBy(leader).put(key, bytes("term 2")).valueAsString()).isEqualTo("term 2");
        assertThat(open().kvStore().get(key).orElseThrow().valueAsString()).isEqualTo("term 2");
    }

    @Test
    void badGuardsAndBadWritesAreRefusedBeforeAnyIo() throws Exception {
        Portal portal = open();
        if (!guardable(portal)) {
            return;
        }
        KvStore kv = portal.kvStore();
        String root = unique("bad-guard");
        assertThatThrownBy(() -> kv.guardedBy((HeldLock) null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("guard");
        assertThatThrownBy(() -> kv.guardedBy((Candidacy) null)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("guard");
        HeldLock foreign = open().lock(root).acquire(PATIENCE);
        assertThatThrownBy(() -> kv.guardedBy(foreign)).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("this connection");
        foreign.close();
        try (HeldLock held = portal.lock(root).acquire(PATIENCE)) {
            GuardedWrites fenced = kv.guardedBy(held);
            assertThatThrownBy(() -> fenced.put("/" + root, bytes("x"))).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("/" + root);
            assertThatThrownBy(() -> fenced.put(root + "/k", new byte[limits().maxValueBytes() + 1]))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(Integer.toString(limits().maxValueBytes()));
            assertThatThrownBy(() -> fenced.compareAndSet(root + "/k", -1, bytes("x"))).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("-1");
            assertThatThrownBy(() -> fenced.put(root + "/k", bytes("x"), Duration.ofMillis(10))).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("ttl");
        }
        assertThat(open().kvStore().list(root)).isEmpty();
    }

    private static Map<String, String> values(KvStore kv, String prefix) {
        Map<String, String> values = new LinkedHashMap<>();
        List<KeyValue> listed = kv.list(prefix);
        listed.forEach(value -> values.put(value.key(), value.valueAsString()));
        return values;
    }
}
