package io.cloudportal.memory;

import io.cloudportal.spi.CounterCell;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** A counter of a memory backend: a value and a version that grows with each write, under the backend's lock. */
final class MemoryCounter implements CounterCell {

    /** Every counter of one backend, by name: {value, version}. Guarded by the backend's lock. */
    static final class State {
        private final Map<String, long[]> cells = new HashMap<>();
    }

    private final MemoryConnection connection;
    private final String name;

    MemoryCounter(MemoryConnection connection, String name) {
        this.connection = connection;
        this.name = name;
    }

    @Override
    public Reading read() {
        return connection.backend().locked(() -> {
            long[] cell = connection.backend().counters.cells.get(name);
            return cell == null ? new Reading(0, 0) : new Reading(cell[0], cell[1]);
        });
    }

    @Override
    public Optional<Reading> swap(long version, long value) {
        return connection.backend().locked(() -> {
            long[] cell = connection.backend().counters.cells.get(name);
            long current = cell == null ? 0 : cell[1];
            if (current != version) {
                return Optional.of(new Reading(cell == null ? 0 : cell[0], current));
            }
            connection.backend().counters.cells.put(name, new long[] {value, current + 1});
            return Optional.<Reading>empty();
        });
    }
}
