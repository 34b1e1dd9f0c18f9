package io.cloudportal.spring.autoconfigure;

import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** There is a connection an unnamed use means: {@code portal.url}, or a single {@code portal.connections} entry. */
final class OnPrimaryConnection extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Binder binder = Binder.get(context.getEnvironment());
        if (binder.bind("portal.url", String.class).isBound()) {
            return ConditionOutcome.match("portal.url is set");
        }
        int named = binder.bind("portal.connections", Bindable.mapOf(String.class, Object.class)).map(Map::size).orElse(0);
        return named == 1 ? ConditionOutcome.match("one connection under portal.connections")
                : ConditionOutcome.noMatch("portal.url is not set and portal.connections names " + named + " connections");
    }
}
