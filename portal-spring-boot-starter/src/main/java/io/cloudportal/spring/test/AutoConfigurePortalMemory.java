package io.cloudportal.spring.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.test.context.TestPropertySource;

/**
 * Runs every Portal connection of the application under test on one {@code memory://} backend,
 * with no server and whatever {@code portal.url}, {@code portal.connections.<name>.url} and their
 * options say (the {@code portal:} configuration import too), as {@code @AutoConfigureTestDatabase}
 * does for a {@code DataSource}. Put it beside {@code @SpringBootTest}; it needs
 * {@code portal-memory} in test scope.
 *
 * <pre>
 * &#64;SpringBootTest
 * &#64;AutoConfigurePortalMemory
 * class ShopApplicationTest { ... }
 * </pre>
 *
 * It sets {@code portal.test.memory=portal-test}: tests of one JVM that run at once share that
 * backend while any of their connections is open, so give topics, groups and keys names of their
 * own, or set {@code portal.test.memory} to another name in the test's properties.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@TestPropertySource(properties = "portal.test.memory=portal-test")
public @interface AutoConfigurePortalMemory {
}
