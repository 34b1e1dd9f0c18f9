package io.cloudportal.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cloudportal.ClosedException;
import io.cloudportal.ConnectionState;
import io.cloudportal.Facility;
import io.cloudportal.Portal;
import io.cloudportal.UnsupportedFacilityException;
import io.cloudportal.kv.KvStore;
import io.cloudportal.leader.Candidacy;
import io.cloudportal.lock.HeldLock;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.Publisher;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.registry.ServiceInstance;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Closing is idempotent, closes everything a connection opened, leaves no thread running, and use after close fails cleanly. */
public abstract class LifecycleContract extends ContractSupport {

    private static final Set<String> JVM_THREADS = Set.of("Attach Listener", "process reaper", "Common-Cleaner", "Signal Dispatcher");

    @Test
    void closeIsIdempotent() {
        Portal portal = harness().connect();
        assertThat(portal.state()).isIn(ConnectionState.CONNECTED, ConnectionState.RECONNECTED);
        portal.close();
        assertThatCode(portal::close).doesNotThrowAnyException();
        assertThat(portal.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(portal.toString()).contains("closed");
    }

    @Test
    void closingTheConnectionClosesEverythingItOpened() throws Exception {
        Portal victim = open();
        Portal observer = open();
        String name = unique("closed");
        HeldLock held = null;
        Candidacy candidacy = null;
        if (victim.capabilities().provides(Facility.LOCK)) {
            held = victim.lock(name).acquire(PATIENCE);
        }
        if (victim.capabilities().provides(Facility.LEADER_ELECTION)) {
            candidacy = victim.leaderElection(name).join("victim", event -> { });
            assertThat(candidacy.awaitLeadership(PATIENCE)).isTrue();
        }
        if (victim.capabilities().provides(Facility.REGISTRY)) {
            victim.registry().register(ServiceInstance.of(name, "victim", "h", 80));
            await().atMost(PATIENCE).until(() -> observer.registry().lookup(name).size() == 1);
        }
        List<String> handledByVictim = new CopyOnWriteArrayList<>();
        Subscription subscription = null;
        if (victim.capabilities().provides(Facility.SUBSCRIBER)) {
            subscription = victim.subscriber().subscribe(SubscribeOptions.broadcast(name), d -> handledByVictim.add(d.message().payloadAsString()));
        }
        victim.close();
        if (held != null) {
            assertThat(held.isHeld()).isFalse();
            try (HeldLock next = observer.lock(name).acquire(PATIENCE)) {
                assertThat(next.isHeld()).isTrue();
            }
        }
        if (candidacy != null) {
            assertThat(candidacy.isLeader()).isFalse();
            Candidacy other = observer.leaderElection(name).join("observer", event -> { });
            assertThat(other.awaitLeadership(PATIENCE)).as("observer elected after the victim closed").isTrue();
        }
        if (victim.capabilities().provides(Facility.REGISTRY)) {
            await().atMost(PATIENCE).until(() -> observer.registry().lookup(name).isEmpty());
        }
        if (subscription != null && observer.capabilities().provides(Facility.PUBLISHER)) {
            observer.publisher().publish(Message.of(name, "k", "after-close")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertThat(handledByVictim).as("messages handled by a closed subscription").isEmpty();
        }
    }

    @Test
    void noThreadIsLeftRunningAfterClose() throws Exception {
        harness().connect().close();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        Portal portal = harness().connect();
        String name = unique("threads");
        if (portal.capabilities().provides(Facility.LOCK)) {
            portal.lock(name).acquire(PATIENCE);
        }
        if (portal.capabilities().provides(Facility.KV_STORE)) {
            portal.kvStore().watch(name, event -> { });
            portal.kvStore().put(name + "/k", new byte[] {1});
        }
        if (portal.capabilities().provides(Facility.LEADER_ELECTION)) {
            portal.leaderElection(name).join("me", event -> { });
        }
        if (portal.capabilities().provides(Facility.REGISTRY)) {
            portal.registry().register(ServiceInstance.of(name, "me", "h", 80));
            portal.registry().watch(name, (s, instances) -> { });
        }
        if (portal.capabilities().provides(Facility.SUBSCRIBER)) {
            portal.subscriber().subscribe(SubscribeOptions.broadcast(name).withConcurrency(4), d -> { });
        }
        if (portal.capabilities().provides(Facility.PUBLISHER)) {
            portal.publisher().publish(Message.of(name, "k", "x")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
        portal.close();
        await().atMost(PATIENCE).untilAsserted(() -> {
            Set<String> left = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive)
                    .filter(thread -> !before.contains(thread))
                    .filter(thread -> !JVM_THREADS.contains(thread.getName()))
                    .filter(thread -> !thread.getName().startsWith("ForkJoinPool.commonPool"))
                    .filter(thread -> !thread.getName().startsWith("awaitility"))
                    .filter(thread -> !harness().isServerThread(thread))
                    .map(Thread::getName)
                    .collect(Collectors.toSet());
            figure("threadsLeft", left.size());
            assertThat(left).as("threads started by the connection and still running after close").isEmpty();
        });
    }

    @Test
    void useAfterCloseFailsWithClosedException() {
        Portal portal = harness().connect();
        KvStore kv = portal.capabilities().provides(Facility.KV_STORE) ? portal.kvStore() : null;
        portal.close();
        assertThatThrownBy(() -> portal.lock("x")).isInstanceOf(ClosedException.class).hasMessageContaining("closed");
        assertThatThrownBy(portal::publisher).isInstanceOf(ClosedException.class);
        if (kv != null) {
            assertThatThrownBy(() -> kv.get("k")).isInstanceOf(ClosedException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void closingAFacilityHandleEndsThatHandleOnlyAndTheNextCallGivesAFreshOne() throws Exception {
        Portal portal = open();
        boolean publishes = portal.capabilities().provides(Facility.PUBLISHER);
        boolean subscribes = portal.capabilities().provides(Facility.SUBSCRIBER);
        if (!publishes && !subscribes) {
            notApplicable("the driver neither publishes nor subscribes");
            return;
        }
        String topic = unique("handle");
        List<String> received = new CopyOnWriteArrayList<>();
        if (subscribes) {
            Subscriber first = portal.subscriber();
            Subscription closedWithIt = first.subscribe(SubscribeOptions.broadcast(topic), d -> { });
            first.close();
            assertThatThrownBy(() -> first.subscribe(SubscribeOptions.broadcast(topic), d -> { })).isInstanceOf(ClosedException.class);
            assertThat(portal.subscriber()).as("the subscriber after a closed one").isNotSameAs(first);
            closedWithIt.close();
            portal.subscriber().subscribe(SubscribeOptions.broadcast(topic), d -> received.add(d.message().payloadAsString()));
        }
        if (publishes) {
            try (Publisher first = portal.publisher()) {
                first.publish(Message.of(topic, "k", "through-the-first")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            }
            Publisher closed = portal.publisher();
            assertThatCode(() -> closed.publish(Message.of(topic, "k", "after-try-with-resources")).get(PATIENCE.toSeconds(), TimeUnit.SECONDS))
                    .as("publishing through portal.publisher() after a try-with-resources closed the previous one").doesNotThrowAnyException();
            if (subscribes) {
                await().atMost(PATIENCE).until(() -> received.contains("after-try-with-resources"));
            }
        }
    }

    @Test
    void anUndeclaredFacilityFailsAtOnceNamingTheDriversThatProvideIt() {
        Portal portal = open();
        int checked = 0;
        for (Facility facility : Facility.values()) {
            if (portal.capabilities().provides(facility)) {
                continue;
            }
            checked++;
            assertThatThrownBy(() -> {
                switch (facility) {
                    case REGISTRY -> portal.registry();
                    case LOCK -> portal.lock("x");
                    case SEMAPHORE -> portal.semaphore("x", 1);
                    case READ_WRITE_LOCK -> portal.readWriteLock("x");
                    case COUNTER -> portal.counter("x");
                    case COUNT_DOWN_LATCH -> portal.countDownLatch("x");
                    case BARRIER -> portal.barrier("x");
                    case LEADER_ELECTION -> portal.leaderElection("x");
                    case KV_STORE -> portal.kvStore();
                    case PUBLISHER -> portal.publisher();
                    case SUBSCRIBER -> portal.subscriber();
                }
            }).isInstanceOf(UnsupportedFacilityException.class).hasMessageContaining("drivers that do");
        }
        if (checked == 0) {
            notApplicable("the driver provides every facility");
        }
    }
}
