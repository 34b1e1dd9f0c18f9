package io.cloudportal.tck;

import io.cloudportal.Facility;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The facilities a contract is about. Run against a driver that does not provide one of them,
 * each of its tests passes as "n/a: the driver provides no …" without running (see
 * {@link FacilityGate}), so {@link ConformanceSuite} can run every contract on every driver.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
@ExtendWith(FacilityGate.class)
public @interface Requires {

    /**
     * The facilities.
     *
     * @return every facility the contract's tests use
     */
    Facility[] value();
}
