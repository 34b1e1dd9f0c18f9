package io.cloudportal.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method a message handler; its subscription starts once the context has started and
 * drains (running calls finish and are acknowledged) when it stops, before connections close.
 *
 * <pre>{@code
 * @PortalListener(topic = "orders", group = "billing", maxAttempts = 3)
 * void bill(Order order, Delivery delivery) { ... }
 * }</pre>
 *
 * <p>Parameters, in any order: the payload ({@code String}, {@code byte[]}, or any type the
 * application's {@link io.cloudportal.messaging.Codec} bean decodes, e.g. {@code portal-jackson}'s
 * {@code JsonCodec}), the {@link io.cloudportal.messaging.Delivery}, the
 * {@link io.cloudportal.messaging.Message}. Returning normally acknowledges; throwing has the
 * message delivered again, up to {@link #maxAttempts()}, then dead-lettered where the driver can.
 * Attributes take {@code ${...}} placeholders.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface PortalListener {

    /** @return the topic */
    String topic();

    /** @return the consumer group; empty for a broadcast subscription (every instance gets every message) */
    String group() default "";

    /** @return the connection, by name; empty for the primary one ({@code portal.url}) */
    String connection() default "";

    /** @return deliveries before a message is dead-lettered; 0 for Portal's default (5) */
    int maxAttempts() default 0;

    /** @return handlers running at once */
    int concurrency() default 1;

    /** @return whether messages of one key are handled one at a time, in order (needs ORDER_PER_KEY) */
    boolean orderedByKey() default false;
}
