package io.cloudportal.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudportal.ConnectionState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SessionStateTest {

    private final SessionState session = new SessionState("the test session");
    private final List<String> seen = new CopyOnWriteArrayList<>();

    SessionStateTest() {
        session.addListener(state -> seen.add("listener " + state));
        session.react(state -> seen.add("reaction " + state));
    }

    @Test
    void driverReactionsRunBeforeListenersAndARepeatedStateIsDropped() {
        assertThat(session.moveTo(ConnectionState.SUSPENDED, "cut")).isTrue();
        assertThat(session.moveTo(ConnectionState.SUSPENDED, "still cut")).isFalse();
        assertThat(seen).containsExactly("reaction SUSPENDED", "listener SUSPENDED");
    }

    @Test
    void closedIsFinal() {
        session.close();
        assertThat(session.moveTo(ConnectionState.RECONNECTED)).isFalse();
        assertThat(session.current()).isEqualTo(ConnectionState.CLOSED);
    }

    @Test
    void aProbeSuspendsOnNoAnswerAndReconnectsOnlyFromSuspended() {
        assertThat(session.probed(true, "answers")).as("an answer while connected").isFalse();
        assertThat(session.current()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(session.probed(false, "silent")).isTrue();
        assertThat(session.probed(false, "still silent")).isFalse();
        assertThat(session.probed(true, "answers again")).isTrue();
        assertThat(session.current()).isEqualTo(ConnectionState.RECONNECTED);
        assertThat(seen).containsExactly("reaction SUSPENDED", "listener SUSPENDED", "reaction RECONNECTED", "listener RECONNECTED");
    }
}
