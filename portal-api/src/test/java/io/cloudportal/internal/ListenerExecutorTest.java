package io.cloudportal.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class ListenerExecutorTest {

    @Test
    void aLaneRunsItsEventsInOrderOnPortalThreadsAndSurvivesAThrowingListener() {
        List<String> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        try (ListenerExecutor executor = new ListenerExecutor("test-1")) {
            Executor lane = executor.lane("test listener");
            for (int i = 0; i < 1000; i++) {
                int event = i;
                lane.execute(() -> {
                    threads.add(Thread.currentThread().getName());
                    if (event == 10) {
                        throw new IllegalStateException("listener bug");
                    }
                    seen.add(Integer.toString(event));
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 999);
        }
        assertThat(seen).doesNotContain("10");
        for (int i = 1; i < seen.size(); i++) {
            assertThat(Integer.parseInt(seen.get(i))).isGreaterThan(Integer.parseInt(seen.get(i - 1)));
        }
        assertThat(threads).allMatch(name -> name.startsWith("portal-test-1-listener-"));
    }

    @Test
    void closingStopsItsThreads() {
        ListenerExecutor executor = new ListenerExecutor("test-2");
        executor.lane("x").execute(() -> { });
        executor.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("portal-test-2-")));
        executor.lane("after close").execute(() -> { throw new AssertionError("ran after close"); });
    }
}
