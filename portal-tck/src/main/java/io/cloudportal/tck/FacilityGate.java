package io.cloudportal.tck;

import io.cloudportal.Facility;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

/**
 * Lets a contract's tests run only on a driver that declares the contract's {@link Requires}
 * facilities; on another the test is not run and passes as not applicable, which the conformance
 * report shows, instead of being skipped (the kit never skips a test).
 */
public final class FacilityGate implements InvocationInterceptor {

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
                                    ExtensionContext extensionContext) throws Throwable {
        Requires requires = extensionContext.getRequiredTestClass().getAnnotation(Requires.class);
        ContractSupport contract = (ContractSupport) extensionContext.getRequiredTestInstance();
        List<Facility> missing = requires == null ? List.of()
                : Arrays.stream(requires.value()).filter(facility -> !contract.declared().provides(facility)).toList();
        if (missing.isEmpty()) {
            invocation.proceed();
        } else {
            contract.notApplicable("the driver provides no " + missing.stream().map(Facility::name).reduce((a, b) -> a + " and " + b)
                    .orElseThrow());
            invocation.skip();
        }
    }
}
