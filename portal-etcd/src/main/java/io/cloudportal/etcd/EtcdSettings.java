package io.cloudportal.etcd;

import io.cloudportal.ConfigurationException;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The options of an etcd connection, read and checked once.
 *
 * @param endpoints the client URLs, {@code http://host:port} or {@code https://…} with TLS
 * @param root the key prefix every key of this connection lives under ({@code /path}, or empty)
 * @param leaseTtl the session lease's time to live
 * @param connectTimeout how long connecting may take
 * @param user the etcd user, with {@code password}
 * @param password the etcd password
 * @param tlsCa the CA certificate file that verifies the servers
 * @param tlsCert the client certificate file, with {@code tlsKey}
 * @param tlsKey the client private key file (PKCS#8 PEM)
 */
record EtcdSettings(List<String> endpoints, String root, Duration leaseTtl, Duration connectTimeout, Optional<String> user,
                    Optional<String> password, Optional<Path> tlsCa, Optional<Path> tlsCert, Optional<Path> tlsKey) {

    static final Set<String> OPTIONS = Set.of("leaseTtl", "connectTimeout", "user", "password", "tlsCa", "tlsCert", "tlsKey");

    static EtcdSettings from(DriverContext context) {
        Options options = context.options();
        for (String host : context.url().hosts()) {
            if (!host.matches("[A-Za-z0-9._\\-\\[\\]]+:[0-9]{1,5}")) {
                throw new ConfigurationException("host '" + host + "' in " + context.url()
                        + " is not host:port (etcd has no default port here; its clients usually listen on 2379)");
            }
        }
        Optional<String> user = options.get("user").or(() -> context.url().user());
        Optional<String> password = options.get("password").or(() -> context.url().password());
        if (user.isPresent() != password.isPresent()) {
            throw new ConfigurationException("etcd authentication needs both a user and a password (in the URL or as the options"
                    + " 'user' and 'password'); " + (user.isPresent() ? "the password" : "the user") + " is missing");
        }
        Optional<Path> tlsCa = file(options, "tlsCa");
        Optional<Path> tlsCert = file(options, "tlsCert");
        Optional<Path> tlsKey = file(options, "tlsKey");
        if (tlsCert.isPresent() != tlsKey.isPresent()) {
            throw new ConfigurationException("a TLS client certificate needs both 'tlsCert' and 'tlsKey'; "
                    + (tlsCert.isPresent() ? "'tlsKey'" : "'tlsCert'") + " is missing");
        }
        boolean tls = tlsCa.isPresent() || tlsCert.isPresent();
        List<String> endpoints = context.url().hosts().stream().map(host -> (tls ? "https://" : "http://") + host).toList();
        Duration leaseTtl = options.duration("leaseTtl", Duration.ofSeconds(10));
        if (leaseTtl.compareTo(Duration.ofSeconds(2)) < 0 || leaseTtl.compareTo(Duration.ofHours(1)) > 0) {
            throw new ConfigurationException("option 'leaseTtl' = " + leaseTtl + " must be between 2s and 1h: the session lease is"
                    + " renewed every third of it, and etcd counts leases in whole seconds");
        }
        String path = context.url().path().replaceAll("/+$", "");
        return new EtcdSettings(endpoints, path.isEmpty() ? "" : "/" + path, leaseTtl,
                options.duration("connectTimeout", Duration.ofSeconds(10)), user, password, tlsCa, tlsCert, tlsKey);
    }

    private static Optional<Path> file(Options options, String name) {
        Optional<Path> path = options.get(name).map(Paths::get);
        path.ifPresent(p -> {
            if (!Files.isReadable(p)) {
                throw new ConfigurationException("option '" + name + "' = '" + p + "' is not a readable file");
            }
        });
        return path;
    }

    /** Leases are granted in whole seconds. */
    long leaseTtlSeconds() {
        return Math.max(1, (leaseTtl.toMillis() + 999) / 1000);
    }

    @Override
    public String toString() {
        return "EtcdSettings[endpoints=" + endpoints + ", root=" + root + ", leaseTtl=" + leaseTtl + ", user=" + user.orElse("-")
                + ", password=" + (password.isPresent() ? "****" : "-") + ", tls=" + (tlsCa.isPresent() || tlsCert.isPresent()) + "]";
    }
}
