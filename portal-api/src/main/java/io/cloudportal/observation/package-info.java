/**
 * Hooks for metrics and tracing: a {@link io.cloudportal.observation.PortalObserver} attached with
 * {@link io.cloudportal.Portal#observe} hears every publish, every handler run, retries, dead
 * letters, lock waits, holds and losses and leadership changes, on every driver, because the
 * portable layer calls it. {@code portal-micrometer} and {@code portal-opentelemetry} are two
 * observers; nothing is observed, and nothing costs, until one is attached.
 */
package io.cloudportal.observation;
