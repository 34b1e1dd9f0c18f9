package io.cloudportal.examples;

import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;

class QuickStartTest {

    @Test
    void theTourRunsOnTheMemoryDriver() {
        assertThatCode(() -> QuickStart.main(new String[] {"memory://quickstart-test"})).doesNotThrowAnyException();
    }
}
