package io.cloudportal.spring.autoconfigure;

import io.cloudportal.Portal;
import io.cloudportal.Watch;
import io.cloudportal.messaging.Codec;
import io.cloudportal.messaging.Delivery;
import io.cloudportal.messaging.Message;
import io.cloudportal.messaging.SubscribeOptions;
import io.cloudportal.messaging.Subscriber;
import io.cloudportal.messaging.Subscription;
import io.cloudportal.spring.PortalConnections;
import io.cloudportal.spring.PortalListener;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.env.Environment;
import org.springframework.util.ReflectionUtils;

/**
 * Finds {@link PortalListener} methods as beans are made, checks their parameters at once, and
 * subscribes them when the context starts; stopping the context closes them first (the highest
 * phase), so running calls finish and are acknowledged before any connection closes.
 */
final class PortalListeners implements BeanPostProcessor, SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PortalListeners.class);

    private final ObjectProvider<PortalConnections> connections;
    private final ObjectProvider<Codec> codec;
    private final Environment environment;
    private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();
    private final List<Running> running = new CopyOnWriteArrayList<>();
    /** One per listener: closes its subscription, or cancels it if its connection has not opened yet. */
    private final List<Watch> handles = new CopyOnWriteArrayList<>();
    private volatile boolean started;

    PortalListeners(ObjectProvider<PortalConnections> connections, ObjectProvider<Codec> codec, Environment environment) {
        this.connections = connections;
        this.codec = codec;
        this.environment = environment;
    }

    /** One annotated method of one bean, with how its parameters are filled. */
    private record Endpoint(Object bean, String beanName, Method method, PortalListener annotation, Parameter[] parameters,
                            Class<?> payloadType) {
    }

    private enum Parameter { PAYLOAD, DELIVERY, MESSAGE }

    /** A subscription this registrar opened, for the actuator endpoint. */
    record Running(String connection, SubscribeOptions options, String handler, Subscription subscription) {
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        Map<Method, PortalListener> annotated = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<PortalListener>) method -> AnnotatedElementUtils.findMergedAnnotation(method, PortalListener.class));
        annotated.forEach((method, annotation) -> endpoints.add(endpoint(bean, beanName, AopUtils.selectInvocableMethod(method, bean.getClass()),
                annotation)));
        return bean;
    }

    private static Endpoint endpoint(Object bean, String beanName, Method method, PortalListener annotation) {
        Parameter[] parameters = new Parameter[method.getParameterCount()];
        Class<?> payloadType = null;
        Class<?>[] types = method.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            if (types[i] == Delivery.class) {
                parameters[i] = Parameter.DELIVERY;
            } else if (types[i] == Message.class) {
                parameters[i] = Parameter.MESSAGE;
            } else if (payloadType == null) {
                parameters[i] = Parameter.PAYLOAD;
                payloadType = types[i];
            } else {
                throw new IllegalStateException("@PortalListener " + describe(beanName, method) + " has two payload parameters ("
                        + payloadType.getSimpleName() + " and " + types[i].getSimpleName() + "); it takes one payload, a Delivery and a Message");
            }
        }
        ReflectionUtils.makeAccessible(method);
        return new Endpoint(bean, beanName, method, annotation, parameters, payloadType);
    }

    /** Subscribes each listener now, or, on a connection the application started without, once it opens. */
    @Override
    public synchronized void start() {
        PortalConnections open = connections.getObject();
        try {
            for (Endpoint endpoint : endpoints) {
                String connection = environment.resolveRequiredPlaceholders(endpoint.annotation().connection());
                Portal portal = connection.isEmpty() ? open.primary() : open.get(connection);
                handles.add(open.whenOpen(portal, ready -> {
                    Running subscribed = subscribe(ready, connection, endpoint);
                    running.add(subscribed);
                    return subscribed.subscription();
                }));
            }
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        started = true;
    }

    private Running subscribe(Portal portal, String connection, Endpoint endpoint) {
        PortalListener annotation = endpoint.annotation();
        String handler = describe(endpoint.beanName(), endpoint.method());
        Subscriber subscriber;
        try {
            subscriber = portal.subscriber();
        } catch (RuntimeException e) {
            throw new IllegalStateException("@PortalListener " + handler + " cannot subscribe on connection "
                    + (connection.isEmpty() ? "portal.url" : "'" + connection + "'") + ": " + e.getMessage()
                    + " (name a messaging connection with connection = \"...\")", e);
        }
        SubscribeOptions options = options(annotation);
        Class<?> type = endpoint.payloadType();
        Subscription subscription;
        if (type == null || type == String.class || type == byte[].class) {
            subscription = subscriber.subscribe(options, delivery -> invoke(endpoint, payload(delivery, type), delivery));
        } else {
            Codec decoder = codec.getIfAvailable();
            if (decoder == null) {
                throw new IllegalStateException("@PortalListener " + handler + " takes a " + type.getName()
                        + " payload, which needs a Codec bean (e.g. portal-jackson's JsonCodec.create()); String and byte[] need none");
            }
            subscription = subscribeTyped(subscriber, options, type, decoder, endpoint);
        }
        LOG.info("@PortalListener {} subscribed to '{}'{}", handler, options.topic(),
                options.group().map(group -> " in group '" + group + "'").orElse(" (broadcast)"));
        return new Running(connection.isEmpty() ? "(primary)" : connection, options, handler, subscription);
    }

    private static <T> Subscription subscribeTyped(Subscriber subscriber, SubscribeOptions options, Class<T> type, Codec codec, Endpoint endpoint) {
        return subscriber.subscribe(options, type, codec, (payload, delivery) -> invoke(endpoint, payload, delivery));
    }

    private SubscribeOptions options(PortalListener annotation) {
        String topic = environment.resolveRequiredPlaceholders(annotation.topic());
        String group = environment.resolveRequiredPlaceholders(annotation.group());
        SubscribeOptions options = group.isEmpty() ? SubscribeOptions.broadcast(topic) : SubscribeOptions.group(topic, group);
        if (annotation.maxAttempts() > 0) {
            options = options.withMaxAttempts(annotation.maxAttempts());
        }
        options = options.withConcurrency(annotation.concurrency());
        return annotation.orderedByKey() ? options.withOrderedByKey(true) : options;
    }

    private static Object payload(Delivery delivery, Class<?> type) {
        if (type == String.class) {
            return delivery.message().payloadAsString();
        }
        return type == byte[].class ? delivery.message().payload() : null;
    }

    private static void invoke(Endpoint endpoint, Object payload, Delivery delivery) throws Exception {
        Object[] arguments = new Object[endpoint.parameters().length];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = switch (endpoint.parameters()[i]) {
                case PAYLOAD -> payload;
                case DELIVERY -> delivery;
                case MESSAGE -> delivery.message();
            };
        }
        try {
            endpoint.method().invoke(endpoint.bean(), arguments);
        } catch (InvocationTargetException e) {
            // The handler's own exception, so that Portal's retry policy and dead letters see what the method threw.
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private static String describe(String beanName, Method method) {
        return beanName + "." + method.getName();
    }

    /** Closes the subscriptions, each draining its running handlers. */
    @Override
    public synchronized void stop() {
        InReverse.close(handles, Watch::close, (handle, e) -> LOG.warn("Closing the subscription of a @PortalListener failed: {}", e.toString()));
        handles.clear();
        running.clear();
        started = false;
    }

    @Override
    public boolean isRunning() {
        return started;
    }

    List<Running> running() {
        return List.copyOf(running);
    }
}
