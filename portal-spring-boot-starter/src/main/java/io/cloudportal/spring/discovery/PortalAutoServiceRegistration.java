package io.cloudportal.spring.discovery;

import org.springframework.cloud.client.serviceregistry.AbstractAutoServiceRegistration;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistrationProperties;
import org.springframework.context.ApplicationContext;

/** Registers this application when its web server has started and deregisters it when the context stops. */
public final class PortalAutoServiceRegistration extends AbstractAutoServiceRegistration<PortalRegistration> {

    private final PortalRegistration registration;
    private final AutoServiceRegistrationProperties properties;

    /**
     * @param context the application
     * @param registry where it registers
     * @param properties Spring Cloud's auto-registration switches
     * @param registration this application's entry
     */
    public PortalAutoServiceRegistration(ApplicationContext context, PortalServiceRegistry registry,
                                         AutoServiceRegistrationProperties properties, PortalRegistration registration) {
        super(context, registry, properties);
        this.registration = registration;
        this.properties = properties;
    }

    @Override
    protected void register() {
        if (registration.getPort() == 0) {
            registration.setPort(getPort().get());
        }
        super.register();
    }

    @Override
    protected Object getConfiguration() {
        return properties;
    }

    @Override
    protected boolean isEnabled() {
        return properties.isEnabled();
    }

    @Override
    protected PortalRegistration getRegistration() {
        return registration;
    }

    @Override
    protected PortalRegistration getManagementRegistration() {
        return null;
    }
}
