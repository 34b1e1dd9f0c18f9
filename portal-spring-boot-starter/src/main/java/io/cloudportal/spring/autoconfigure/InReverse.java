package io.cloudportal.spring.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Closes what a lifecycle opened, the last first, carrying on past a failure so that the rest still close. */
final class InReverse {

    private InReverse() {
    }

    static <T> void close(List<T> opened, Consumer<T> close, BiConsumer<T, RuntimeException> failed) {
        List<T> reversed = new ArrayList<>(opened);
        Collections.reverse(reversed);
        for (T item : reversed) {
            try {
                close.accept(item);
            } catch (RuntimeException e) {
                failed.accept(item, e);
            }
        }
    }
}
