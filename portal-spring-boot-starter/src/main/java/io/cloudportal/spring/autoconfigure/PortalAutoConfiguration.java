package io.cloudportal.spring.autoconfigure;

import io.cloudportal.Portal;
import io.cloudportal.messaging.Codec;
import io.cloudportal.spring.PortalCandidate;
import io.cloudportal.spring.PortalConnections;
import io.cloudportal.spring.PortalLocks;
import io.cloudportal.spring.PortalProperties;
import io.cloudportal.spring.PortalTemplate;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;

/**
 * Portal for Spring Boot: the connections from {@code portal.*} properties, the primary one as the
 * {@code Portal} bean, {@code @PortalListener} methods, {@code PortalCandidate} beans, a
 * {@link PortalTemplate} and {@link PortalLocks}; with Actuator on the classpath, a health
 * contributor {@code portal} (one indicator per connection) and the {@code portal} endpoint; with
 * {@code portal-micrometer} and a {@code MeterRegistry}, Portal's meters.
 */
@AutoConfiguration
@EnableConfigurationProperties(PortalProperties.class)
public class PortalAutoConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    PortalConnections portalConnections(PortalProperties properties) {
        return PortalConnections.open(properties);
    }

    /** Closed with {@link PortalConnections}, not on its own. */
    @Bean(destroyMethod = "")
    @Primary
    @ConditionalOnMissingBean(Portal.class)
    @Conditional(OnPrimaryConnection.class)
    Portal portal(PortalConnections connections) {
        return connections.primary();
    }

    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnPrimaryConnection.class)
    PortalTemplate portalTemplate(PortalConnections connections, ObjectProvider<Codec> codec) {
        return new PortalTemplate(connections.primary(), codec.getIfAvailable());
    }

    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnPrimaryConnection.class)
    PortalLocks portalLocks(PortalConnections connections) {
        return new PortalLocks(connections.primary());
    }

    /** Static: a post-processor is made before other beans, so it reaches the connections lazily. */
    @Bean
    static PortalListeners portalListeners(ObjectProvider<PortalConnections> connections, ObjectProvider<Codec> codec, Environment environment) {
        return new PortalListeners(connections, codec, environment);
    }

    @Bean
    PortalCandidates portalCandidates(ObjectProvider<PortalConnections> connections, ObjectProvider<PortalCandidate> candidates,
                                      Environment environment) {
        String application = environment.getProperty("spring.application.name", "application");
        return new PortalCandidates(connections, candidates, application + "-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthContribution {

        @Bean
        @ConditionalOnMissingBean(name = "portalHealthContributor")
        HealthContributor portalHealthContributor(PortalConnections connections) {
            return CompositeHealthContributor.fromMap(connections.asMap(), portal -> new PortalHealthIndicator(portal, connections));
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(org.springframework.boot.actuate.endpoint.annotation.Endpoint.class)
    static class Actuator {

        @Bean
        @ConditionalOnMissingBean
        PortalEndpoint portalEndpoint(PortalConnections connections, PortalListeners listeners, PortalCandidates candidates,
                                      ObjectProvider<PortalLocks> locks, org.springframework.beans.factory.ListableBeanFactory beans) {
            return new PortalEndpoint(connections, listeners, candidates,
                    () -> locks.getIfAvailable() == null ? java.util.Set.of() : locks.getObject().held(), () -> registrations(beans));
        }

        /** Only touches the discovery types when spring-cloud-commons is there. */
        private static java.util.Map<String, String> registrations(org.springframework.beans.factory.ListableBeanFactory beans) {
            if (!org.springframework.util.ClassUtils.isPresent("org.springframework.cloud.client.serviceregistry.ServiceRegistry",
                    PortalAutoConfiguration.class.getClassLoader())) {
                return java.util.Map.of();
            }
            return DiscoveryView.registrations(beans);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.cloudportal.micrometer.PortalMetrics", "io.micrometer.core.instrument.MeterRegistry"})
    static class Metrics {

        @Bean(destroyMethod = "close")
        PortalMeterBinding portalMeterBinding(PortalConnections connections,
                                              ObjectProvider<io.micrometer.core.instrument.MeterRegistry> registry) {
            return new PortalMeterBinding(connections, registry);
        }
    }
}
