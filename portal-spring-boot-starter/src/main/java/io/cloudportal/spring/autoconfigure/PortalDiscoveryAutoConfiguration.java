package io.cloudportal.spring.autoconfigure;

import io.cloudportal.Portal;
import io.cloudportal.spring.PortalConnections;
import io.cloudportal.spring.PortalProperties;
import io.cloudportal.spring.discovery.PortalAutoServiceRegistration;
import io.cloudportal.spring.discovery.PortalDiscoveryClient;
import io.cloudportal.spring.discovery.PortalRegistration;
import io.cloudportal.spring.discovery.PortalServiceRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Spring Cloud discovery over the registry of {@code portal.discovery.connection} (the primary one
 * by default): a {@code DiscoveryClient}, a {@code ServiceRegistry} and, in a web application,
 * this application registered once its server listens. A connection without a REGISTRY (Kafka,
 * say) finds nothing and registers nothing, and says so once in the log.
 */
@AutoConfiguration(after = PortalAutoConfiguration.class,
        beforeName = "org.springframework.cloud.client.discovery.composite.CompositeDiscoveryClientAutoConfiguration")
@ConditionalOnClass(DiscoveryClient.class)
@ConditionalOnProperty(prefix = "portal.discovery", name = "enabled", matchIfMissing = true)
public class PortalDiscoveryAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PortalDiscoveryClient portalDiscoveryClient(PortalConnections connections, PortalProperties properties) {
        return new PortalDiscoveryClient(discoveryConnection(connections, properties));
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    PortalServiceRegistry portalServiceRegistry(PortalConnections connections, PortalProperties properties) {
        return new PortalServiceRegistry(connections, discoveryConnection(connections, properties));
    }

    @Bean
    @ConditionalOnMissingBean
    PortalRegistration portalRegistration(PortalProperties properties, Environment environment, ObjectProvider<InetUtils> inet) {
        PortalProperties.Discovery discovery = properties.getDiscovery();
        String service = environment.getProperty("spring.application.name", "application");
        String id = discovery.getInstanceId() != null ? discovery.getInstanceId() : service + "-" + UUID.randomUUID().toString().substring(0, 8);
        return new PortalRegistration(service, id, discovery.getHost() != null ? discovery.getHost() : host(inet),
                discovery.getPort(), discovery.isSecure(), discovery.getMetadata());
    }

    /** Only where a web server announces its port. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.boot.web.server.context.WebServerInitializedEvent")
    static class AutoRegistration {

        @Bean
        @ConditionalOnMissingBean
        PortalAutoServiceRegistration portalAutoServiceRegistration(ApplicationContext context, PortalServiceRegistry registry,
                ObjectProvider<AutoServiceRegistrationProperties> properties, PortalRegistration registration) {
            return new PortalAutoServiceRegistration(context, registry, properties.getIfAvailable(AutoServiceRegistrationProperties::new),
                    registration);
        }
    }

    private static Portal discoveryConnection(PortalConnections connections, PortalProperties properties) {
        String name = properties.getDiscovery().getConnection();
        return name.isEmpty() ? connections.primary() : connections.get(name);
    }

    private static String host(ObjectProvider<InetUtils> inet) {
        InetUtils utils = inet.getIfAvailable();
        if (utils != null) {
            return utils.findFirstNonLoopbackHostInfo().getIpAddress();
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
