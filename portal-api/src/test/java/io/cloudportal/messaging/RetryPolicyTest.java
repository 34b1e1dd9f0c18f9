package io.cloudportal.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudportal.InvalidArgumentException;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void anExponentialPolicyDoublesUpToItsCap() {
        RetryPolicy policy = RetryPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1));
        assertThat(policy.backoffAfter(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoffAfter(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(policy.backoffAfter(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(policy.backoffAfter(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.backoffAfter(1_000)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.withMultiplier(3).backoffAfter(3)).isEqualTo(Duration.ofMillis(900));
    }

    @Test
    void jitterOnlyEverLengthensAPause() {
        RetryPolicy policy = RetryPolicy.fixed(Duration.ofMillis(100)).withJitter(0.5);
        for (int i = 0; i < 1_000; i++) {
            assertThat(policy.pauseAfter(3)).isBetween(Duration.ofMillis(100), Duration.ofMillis(150));
        }
        assertThat(RetryPolicy.fixed(Duration.ZERO).withJitter(1).pauseAfter(1)).isZero();
    }

    @Test
    void failuresNamedNotRetriedAreMatchedWithTheirSubtypes() {
        RetryPolicy policy = RetryPolicy.fixed(Duration.ZERO).withoutRetrying(IllegalArgumentException.class, UncheckedIOException.class);
        assertThat(policy.retries(new NumberFormatException("a subtype"))).isFalse();
        assertThat(policy.retries(new IllegalStateException("another"))).isTrue();
        assertThat(policy.notRetried()).containsExactly(IllegalArgumentException.class, UncheckedIOException.class);
    }

    @Test
    void badValuesAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofMillis(-1))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("backoff");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ofHours(2))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("longer than PT1H");
        assertThatThrownBy(() -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("below the initial backoff");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ZERO).withJitter(1.5)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("jitter 1.5");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ZERO).withMultiplier(0.5)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("multiplier 0.5");
        assertThatThrownBy(() -> RetryPolicy.fixed(Duration.ZERO).withoutRetrying((Class<? extends Throwable>) null))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void subscribeOptionsKeepTheBackoffAndThePolicyInStep() {
        SubscribeOptions options = SubscribeOptions.group("t", "g");
        assertThat(options.retryPolicy()).isEqualTo(RetryPolicy.fixed(SubscribeOptions.DEFAULT_RETRY_BACKOFF));
        RetryPolicy growing = RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofSeconds(5)).withoutRetrying(IllegalStateException.class);
        SubscribeOptions withPolicy = options.withRetryPolicy(growing);
        assertThat(withPolicy.retryBackoff()).isEqualTo(Duration.ofMillis(50));
        SubscribeOptions fixedAgain = withPolicy.withRetryBackoff(Duration.ofMillis(70));
        assertThat(fixedAgain.retryPolicy().backoffAfter(3)).isEqualTo(Duration.ofMillis(70));
        assertThat(fixedAgain.retryPolicy().notRetried()).containsExactly(IllegalStateException.class);
        assertThat(new SubscribeOptions("t", java.util.Optional.empty(), 5, java.util.Optional.empty(), 1, false, Duration.ofMillis(100)))
                .isEqualTo(SubscribeOptions.broadcast("t"));
    }

    @Test
    void deadLetterReasonsArePrintableBoundedAndMarkedWhenCut() {
        assertThat(DeadLetters.reason("a\tb\nc")).isEqualTo("a b c");
        assertThat(DeadLetters.reason(new IllegalStateException("boom"))).isEqualTo("java.lang.IllegalStateException: boom");
        String cut = DeadLetters.reason("y".repeat(5_000));
        assertThat(cut).hasSize(DeadLetters.MAX_REASON_LENGTH).endsWith("…");
        assertThat(DeadLetters.reason("z".repeat(DeadLetters.MAX_REASON_LENGTH))).doesNotEndWith("…");
        // A cut never leaves half a surrogate pair behind.
        String emoji = "x" + "\uD83D\uDE00".repeat(1_000);
        String cutEmoji = DeadLetters.reason(emoji);
        assertThat(Character.isHighSurrogate(cutEmoji.charAt(cutEmoji.length() - 2))).isFalse();
    }
}
