package io.cloudportal.spring.config;

import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/** The keys under one prefix of the KV store of {@code portal.url}, as a source of properties. */
final class PortalConfigDataResource extends ConfigDataResource {

    private final String prefix;
    private final String url;
    private final Map<String, String> options;

    PortalConfigDataResource(String prefix, String url, Map<String, String> options, boolean optional) {
        super(optional);
        this.prefix = prefix;
        this.url = url;
        this.options = Map.copyOf(options);
    }

    String prefix() {
        return prefix;
    }

    String url() {
        return url;
    }

    Map<String, String> options() {
        return options;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortalConfigDataResource other && prefix.equals(other.prefix) && url.equals(other.url);
    }

    @Override
    public int hashCode() {
        return Objects.hash(prefix, url);
    }

    @Override
    public String toString() {
        // The URL may carry credentials: the prefix names the resource.
        return "portal:" + prefix;
    }
}
