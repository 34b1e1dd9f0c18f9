package io.cloudportal.tck;

import io.cloudportal.messaging.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts what a messaging scenario published and what handlers completed, and from that the
 * three figures every messaging contract asserts: lost, duplicated and reordered (per key).
 * Payloads are {@code key|sequence}, so any driver's message can be matched.
 */
public final class Ledger {

    private final Map<String, Integer> publishedPerKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> handled = new ConcurrentHashMap<>();
    private final Map<String, List<Integer>> orderPerKey = new HashMap<>();
    private final AtomicInteger published = new AtomicInteger();

    /**
     * The message for the next sequence number of a key, recorded as published.
     *
     * @param topic the topic
     * @param key the key
     * @return the message
     */
    public Message next(String topic, String key) {
        int sequence = publishedPerKey.merge(key, 1, Integer::sum) - 1;
        published.incrementAndGet();
        return Message.of(topic, key, key + "|" + sequence);
    }

    /**
     * Records a message a handler completed (call it as the last step of the handler).
     *
     * @param message the handled message
     */
    public void handled(Message message) {
        String payload = new String(message.payload(), StandardCharsets.UTF_8);
        if (handled.computeIfAbsent(payload, p -> new AtomicInteger()).incrementAndGet() == 1) {
            int bar = payload.lastIndexOf('|');
            String key = payload.substring(0, bar);
            synchronized (orderPerKey) {
                orderPerKey.computeIfAbsent(key, k -> new ArrayList<>()).add(Integer.parseInt(payload.substring(bar + 1)));
            }
        }
    }

    /** @return how many messages were published */
    public int published() {
        return published.get();
    }

    /** @return how many distinct messages were handled */
    public int distinctHandled() {
        return handled.size();
    }

    /** @return published messages never handled */
    public long lost() {
        return published.get() - (long) handled.size();
    }

    /** @return handlings beyond the first of a message */
    public long duplicated() {
        return handled.values().stream().mapToLong(count -> count.get() - 1L).sum();
    }

    /** @return first handlings that came after a later message of the same key */
    public long reordered() {
        long reordered = 0;
        synchronized (orderPerKey) {
            for (List<Integer> sequence : orderPerKey.values()) {
                int highest = -1;
                for (int value : sequence) {
                    if (value < highest) {
                        reordered++;
                    }
                    highest = Math.max(highest, value);
                }
            }
        }
        return reordered;
    }
}
