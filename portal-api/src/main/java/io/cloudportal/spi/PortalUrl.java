package io.cloudportal.spi;

import io.cloudportal.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed connection URL: {@code scheme://[user[:password]@]host[:port][,host[:port]…][/path][?option=value&…]}.
 * Hosts may be separated by {@code ,} or {@code ;}. The path is the namespace (a chroot, a key
 * prefix, a vhost). {@link #toString()} never shows the password.
 */
public final class PortalUrl {

    private final String scheme;
    private final String user;
    private final String password;
    private final List<String> hosts;
    private final String path;
    private final Map<String, String> queryOptions;

    private PortalUrl(String scheme, String user, String password, List<String> hosts, String path, Map<String, String> queryOptions) {
        this.scheme = scheme;
        this.user = user;
        this.password = password;
        this.hosts = hosts;
        this.path = path;
        this.queryOptions = queryOptions;
    }

    /**
     * Parses a URL. The syntax is checked by {@link URI}; the authority may list several hosts.
     *
     * @param url the URL
     * @return the parsed URL
     * @throws ConfigurationException if the URL is malformed; the message shows it with the password hidden
     */
    public static PortalUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new ConfigurationException("url '" + url + "' is malformed: it is empty; expected scheme://host[:port][/path], e.g. zookeeper://localhost:2181/app");
        }
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new ConfigurationException("url '" + Redaction.redactUrl(url) + "' is malformed: " + e.getReason()
                    + " at index " + e.getIndex() + "; expected scheme://host[:port][/path][?option=value]");
        }
        if (uri.getScheme() == null || uri.isOpaque() || uri.getRawAuthority() == null || uri.getRawAuthority().isEmpty()) {
            throw new ConfigurationException("url '" + Redaction.redactUrl(url) + "' is malformed: it needs a scheme and a host,"
                    + " as in scheme://host[:port][/path], e.g. zookeeper://localhost:2181/app or memory://test");
        }
        String authority = uri.getRawAuthority();
        String user = null;
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            user = decode(colon >= 0 ? userInfo.substring(0, colon) : userInfo);
            password = colon >= 0 ? decode(userInfo.substring(colon + 1)) : null;
        }
        List<String> hosts = new ArrayList<>();
        for (String host : authority.split("[,;]", -1)) {
            if (host.isBlank()) {
                throw new ConfigurationException("url '" + Redaction.redactUrl(url) + "' is malformed: its host list has an empty entry");
            }
            hosts.add(host);
        }
        String rawPath = uri.getRawPath() == null ? "" : uri.getRawPath();
        String path = decode(rawPath.startsWith("/") ? rawPath.substring(1) : rawPath);
        Map<String, String> options = new LinkedHashMap<>();
        if (uri.getRawQuery() != null && !uri.getRawQuery().isEmpty()) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq >= 0 ? pair.substring(0, eq) : pair);
                String value = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
                if (options.putIfAbsent(name, value) != null) {
                    throw new ConfigurationException("url '" + Redaction.redactUrl(url) + "' sets option '" + name + "' twice");
                }
            }
        }
        return new PortalUrl(uri.getScheme().toLowerCase(java.util.Locale.ROOT), user, password, List.copyOf(hosts), path,
                Collections.unmodifiableMap(options));
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    /**
     * The scheme, lower-case; it picks the driver.
     *
     * @return the scheme
     */
    public String scheme() {
        return scheme;
    }

    /**
     * The user name given in the URL.
     *
     * @return the user, if any
     */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /**
     * The password given in the URL. Never log it.
     *
     * @return the password, if any
     */
    public Optional<String> password() {
        return Optional.ofNullable(password);
    }

    /**
     * The hosts, each as written ({@code host}, {@code host:port} or a name for in-process schemes).
     *
     * @return the hosts, at least one
     */
    public List<String> hosts() {
        return hosts;
    }

    /**
     * The path without its leading {@code /}: the namespace; empty if none.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * The options given as query parameters, decoded, in order.
     *
     * @return the query options
     */
    public Map<String, String> queryOptions() {
        return queryOptions;
    }

    /**
     * The URL as text with the password and secret options hidden; safe to log.
     *
     * @return the redacted URL
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(scheme).append("://");
        if (user != null) {
            text.append(user);
            if (password != null) {
                text.append(":").append(Redaction.MASK);
            }
            text.append('@');
        }
        text.append(String.join(",", hosts));
        if (!path.isEmpty()) {
            text.append('/').append(path);
        }
        if (!queryOptions.isEmpty()) {
            text.append('?');
            String separator = "";
            for (Map.Entry<String, String> option : queryOptions.entrySet()) {
                text.append(separator).append(option.getKey()).append('=').append(Redaction.value(option.getKey(), option.getValue()));
                separator = "&";
            }
        }
        return text.toString();
    }
}
