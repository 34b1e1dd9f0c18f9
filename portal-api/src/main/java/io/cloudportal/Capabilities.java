package io.cloudportal;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * What a driver provides: its facilities and the guarantees it gives.
 *
 * @param facilities the facilities the driver implements
 * @param guarantees the guarantees the driver gives for them
 */
public record Capabilities(Set<Facility> facilities, Set<Guarantee> guarantees) {

    /**
     * Creates a declaration; both sets are copied.
     *
     * @param facilities the facilities the driver implements
     * @param guarantees the guarantees the driver gives for them
     */
    public Capabilities {
        Objects.requireNonNull(facilities, "facilities");
        Objects.requireNonNull(guarantees, "guarantees");
        facilities = Collections.unmodifiableSet(facilities.isEmpty() ? EnumSet.noneOf(Facility.class) : EnumSet.copyOf(facilities));
        guarantees = Collections.unmodifiableSet(guarantees.isEmpty() ? EnumSet.noneOf(Guarantee.class) : EnumSet.copyOf(guarantees));
    }

    /**
     * Tells whether a facility is provided.
     *
     * @param facility the facility
     * @return true if the driver implements it
     */
    public boolean provides(Facility facility) {
        return facilities.contains(facility);
    }

    /**
     * Tells whether a guarantee is given.
     *
     * @param guarantee the guarantee
     * @return true if the driver declares it
     */
    public boolean gives(Guarantee guarantee) {
        return guarantees.contains(guarantee);
    }
}
