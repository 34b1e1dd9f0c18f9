package io.cloudportal.memory;

import io.cloudportal.ConflictException;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.StartPosition;
import io.cloudportal.messaging.PublishResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The topics of one backend: an append-only log per topic, and per consumer group a cursor,
 * the messages waiting for redelivery and the keys that have an unsettled message. A keyed
 * message is handed out only when no earlier message with its key is unsettled, which keeps
 * per-key order across concurrent handlers and members; a retry happens in place, in the portable layer. Each topic is its own monitor.
 */
final class MemoryTopics {

    /** A retained message and when it was stored (wall clock, ms: what a start position's time is matched against). */
    record Stored(long offset, Message message, String id, long storedAtMillis) {
    }

    /** One delivery attempt of a stored message. */
    record Pending(Stored stored, int attempt) {
    }

    private final MemoryBackend backend;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private volatile int retainMessages = MemoryDriver.DEFAULT_RETAIN_MESSAGES;
    private final AtomicLong broadcastIds = new AtomicLong();

    MemoryTopics(MemoryBackend backend) {
        this.backend = backend;
    }

    /** Sets the retention window; the first connection to a name decides it. */
    void retainMessages(int messages) {
        retainMessages = messages;
    }

    Topic topic(String name) {
        return topics.computeIfAbsent(name, Topic::new);
    }

    String broadcastGroupName() {
        return "broadcast-" + broadcastIds.incrementAndGet();
    }

    final class Topic {
        final String name;
        /** The retained messages; {@code log.get(0)} has offset {@link #base}. */
        private List<Stored> log = new ArrayList<>();
        private long base;
        private final Map<String, Group> groups = new HashMap<>();

        Topic(String name) {
            this.name = name;
        }

        synchronized PublishResult append(Message message) {
            long offset = end();
            Stored stored = new Stored(offset, message, "memory:" + name + ":" + offset, System.currentTimeMillis());
            log.add(stored);
            groups.values().forEach(Group::pump);
            trim();
            return new PublishResult(name, 0, offset, stored.id);
        }

        long end() {
            return base + log.size();
        }

        Stored at(long offset) {
            return log.get((int) (offset - base));
        }

        /**
         * Drops messages outside the retention window that every group has read already, so a
         * long-running test or benchmark does not grow without bound; an unread message is never dropped.
         */
        private void trim() {
            long readByAll = groups.values().stream().mapToLong(group -> group.cursor).min().orElse(end());
            long keepFrom = Math.min(readByAll, end() - retainMessages);
            if (keepFrom - base > Math.max(1, retainMessages / 2)) {
                log = new ArrayList<>(log.subList((int) (keepFrom - base), log.size()));
                base = keepFrom;
            }
        }

        /** The offset a position names: the oldest retained message, the end, or the first message stored at or after a time. */
        synchronized long offsetOf(StartPosition position) {
            return switch (position.kind()) {
                case EARLIEST -> base;
                case LATEST -> end();
                case TIME -> {
                    long millis = position.time().orElseThrow().toEpochMilli();
                    for (int i = 0; i < log.size(); i++) {
                        if (log.get(i).storedAtMillis() >= millis) {
                            yield base + i;
                        }
                    }
                    yield end();
                }
            };
        }

        /**
         * Joins a group; a group seen for the first time starts at its start position, else at the oldest retained
         * message (a broadcast one at the newest).
         */
        synchronized Group join(String groupName, boolean fromEnd, Optional<StartPosition> start, MemorySubscription member) {
            Group group = groups.computeIfAbsent(groupName, g -> new Group(this, start.map(this::offsetOf).orElse(fromEnd ? end() : base)));
            group.members.add(member);
            group.pump();
            return group;
        }

        /** Moves a group with no members to a position; a group not seen yet is made there, as Kafka does. */
        synchronized void reset(String groupName, StartPosition position) {
            Group group = groups.get(groupName);
            if (group != null && !group.members.isEmpty()) {
                throw new ConflictException("group '" + groupName + "' on '" + name + "' has " + group.members.size()
                        + " active member(s): close its subscriptions and reset it again");
            }
            groups.put(groupName, new Group(this, offsetOf(position)));
        }
    }

    final class Group {
        private final Topic topic;
        private long cursor;
        private final PriorityQueue<Pending> ready = new PriorityQueue<>(Comparator.comparingLong(p -> p.stored.offset));
        private final Map<String, ArrayDeque<Stored>> parked = new HashMap<>();
        private final Set<String> heldKeys = new HashSet<>();
        private final List<MemorySubscription> members = new ArrayList<>();
        private int nextMember;

        Group(Topic topic, long cursor) {
            this.topic = topic;
            this.cursor = cursor;
        }

        Topic topic() {
            return topic;
        }

        /** Hands messages to members with free handlers, round robin. Runs under the topic monitor. */
        void pump() {
            while (true) {
                MemorySubscription member = nextFreeMember();
                if (member == null) {
                    return;
                }
                Pending pending = nextPending();
                if (pending == null) {
                    return;
                }
                member.dispatch(this, pending);
            }
        }

        /**
         * Messages no member holds yet, counted on the group's oldest member alone so that the
         * members' lags add up to the group's. Under the topic monitor.
         */
        long unassigned(MemorySubscription member) {
            if (members.isEmpty() || members.get(0) != member) {
                return 0;
            }
            long waiting = topic.end() - cursor + ready.size();
            for (ArrayDeque<Stored> queue : parked.values()) {
                waiting += queue.size();
            }
            return waiting;
        }

        void leave(MemorySubscription member) {
            synchronized (topic) {
                members.remove(member);
                pump();
            }
        }

        /** The message is done with (acknowledged or dead-lettered): its key passes to the next parked message. */
        void settled(Pending pending) {
            synchronized (topic) {
                String key = pending.stored.message().key();
                if (key != null) {
                    ArrayDeque<Stored> waiting = parked.get(key);
                    if (waiting != null && !waiting.isEmpty()) {
                        ready.add(new Pending(waiting.poll(), 1));
                        if (waiting.isEmpty()) {
                            parked.remove(key);
                        }
                    } else {
                        heldKeys.remove(key);
                    }
                }
                pump();
            }
        }

        /** A member let go of the message unhandled (it is closing): the next member gets it. */
        void released(Pending pending) {
            synchronized (topic) {
                ready.add(pending);
                pump();
            }
        }

        private MemorySubscription nextFreeMember() {
            for (int i = 0; i < members.size(); i++) {
                MemorySubscription member = members.get((nextMember + i) % members.size());
                if (member.hasFreeHandler()) {
                    nextMember = (nextMember + i + 1) % members.size();
                    return member;
                }
            }
            return null;
        }

        private Pending nextPending() {
            if (!ready.isEmpty()) {
                return ready.poll();
            }
            while (cursor < topic.end()) {
                Stored stored = topic.at(cursor++);
                String key = stored.message().key();
                if (key == null) {
                    return new Pending(stored, 1);
                }
                if (heldKeys.add(key)) {
                    return new Pending(stored, 1);
                }
                parked.computeIfAbsent(key, k -> new ArrayDeque<>()).add(stored);
            }
            return null;
        }
    }
}
