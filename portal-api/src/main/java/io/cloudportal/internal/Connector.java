package io.cloudportal.internal;

import io.cloudportal.ConfigurationException;
import io.cloudportal.Portal;
import io.cloudportal.spi.DriverConnection;
import io.cloudportal.spi.DriverContext;
import io.cloudportal.spi.Options;
import io.cloudportal.spi.PortalDriver;
import io.cloudportal.spi.PortalUrl;
import io.cloudportal.spi.Rules;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns a URL, or properties, into an open {@link Portal}. */
public final class Connector {

    /** Options every driver accepts. */
    public static final String OPERATION_TIMEOUT = "operationTimeout";

    /** The bound on blocking calls that take no timeout of their own, unless configured. */
    public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(30);

    private static final Set<String> COMMON_OPTIONS = Set.of(OPERATION_TIMEOUT);
    private static final Logger LOG = LoggerFactory.getLogger(Connector.class);
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();

    private Connector() {
    }

    /**
     * Opens a connection; options given here override the URL's query parameters.
     *
     * @param url the URL
     * @param options extra options
     * @return the open connection
     */
    public static Portal connect(String url, Map<String, String> options) {
        return connect(DriverRegistry.current(), url, options);
    }

    /** Opens a connection with the drivers of this registry only. */
    static Portal connect(DriverRegistry registry, String url, Map<String, String> options) {
        PortalUrl parsed = PortalUrl.parse(url);
        Rules.notNull("options", options);
        PortalDriver driver = registry.forScheme(parsed.scheme());
        Map<String, String> given = new LinkedHashMap<>(parsed.queryOptions());
        given.putAll(options);
        Map<String, String> merged = forDriver(registry, driver, given);
        checkKnown(driver, merged);
        Options checked = new Options(merged);
        Duration operationTimeout = checked.duration(OPERATION_TIMEOUT, DEFAULT_OPERATION_TIMEOUT);
        String connectionId = driver.name() + "-" + CONNECTIONS.incrementAndGet();
        Observers observers = new Observers();
        DriverContext context = new DriverContext(parsed, checked, operationTimeout, connectionId, observers);
        DriverConnection connection = driver.connect(context);
        LOG.info("Connected {} to {}", connectionId, parsed);
        return new DefaultPortal(registry, driver, context, connection, observers);
    }

    /**
     * Opens a connection from properties with environment overrides.
     *
     * @param properties the properties
     * @param prefix the property prefix
     * @param environment the environment variables
     * @return the open connection
     */
    public static Portal connect(Properties properties, String prefix, Map<String, String> environment) {
        Rules.notNull("properties", properties);
        Rules.notBlank("prefix", prefix);
        String envPrefix = "PORTAL_" + prefix.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_";
        String propertyPrefix = prefix + ".";
        String url = null;
        Map<String, String> options = new LinkedHashMap<>();
        for (String name : new TreeSet<>(properties.stringPropertyNames())) {
            if (!name.startsWith(propertyPrefix)) {
                continue;
            }
            String option = name.substring(propertyPrefix.length());
            if (option.equals("url")) {
                url = properties.getProperty(name);
            } else {
                options.put(option, properties.getProperty(name));
            }
        }
        for (Map.Entry<String, String> variable : new java.util.TreeMap<>(environment).entrySet()) {
            if (!variable.getKey().startsWith(envPrefix)) {
                continue;
            }
            String rest = variable.getKey().substring(envPrefix.length());
            if (rest.equals("URL")) {
                url = variable.getValue();
            } else if (!rest.isEmpty()) {
                options.put(camelCase(rest), variable.getValue());
            }
        }
        if (url == null || url.isBlank()) {
            throw new ConfigurationException("no URL configured for '" + prefix + "': set the property '" + propertyPrefix
                    + "url' or the environment variable '" + envPrefix + "URL'");
        }
        return connect(url, options);
    }

    /** {@code SESSION_TIMEOUT} → {@code sessionTimeout}. */
    static String camelCase(String snake) {
        StringBuilder camel = new StringBuilder();
        boolean upper = false;
        for (char c : snake.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = camel.length() > 0;
            } else {
                camel.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return camel.toString();
    }

    /** {@code kafka.*} admits {@code kafka.linger.ms}, not {@code kafka.} alone. */
    private static boolean passesThrough(String pattern, String name) {
        if (!pattern.endsWith("*")) {
            return false;
        }
        String prefix = pattern.substring(0, pattern.length() - 1);
        return name.startsWith(prefix) && name.length() > prefix.length();
    }

    /**
     * Keeps the options meant for this driver: the plain ones, and those qualified with its name
     * ({@code zookeeper.sessionTimeout}), which win over a plain one of the same name. Options
     * qualified with another driver's name are dropped, so one file can hold the options of
     * several drivers and the URL alone picks; they are still checked against that driver when it
     * is on the classpath, so a typo fails whichever driver is picked.
     */
    static Map<String, String> forDriver(DriverRegistry registry, PortalDriver driver, Map<String, String> options) {
        Map<String, PortalDriver> loaded = registry.byName();
        Map<String, String> plain = new LinkedHashMap<>();
        Map<String, String> qualified = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : options.entrySet()) {
            String name = option.getKey();
            int dot = name.indexOf('.');
            String qualifier = dot > 0 ? name.substring(0, dot) : "";
            if (!DriverRegistry.PORTAL_DRIVER_NAMES.contains(qualifier) && !loaded.containsKey(qualifier)) {
                plain.put(name, option.getValue());
                continue;
            }
            PortalDriver owner = loaded.get(qualifier);
            String rest = name.substring(dot + 1);
            // kafka.linger.ms stays whole: it is the Kafka driver's pass-through, not a qualified Portal option.
            String meant = owner != null && owner.options().contains(rest) ? rest : name;
            if (owner != null) {
                checkKnown(owner, Map.of(meant, option.getValue()));
            }
            if (qualifier.equals(driver.name())) {
                qualified.put(meant, option.getValue());
            }
        }
        plain.putAll(qualified);
        return plain;
    }

    private static void checkKnown(PortalDriver driver, Map<String, String> options) {
        Set<String> known = new TreeSet<>(COMMON_OPTIONS);
        known.addAll(driver.options());
        for (String name : options.keySet()) {
            if (!known.contains(name) && known.stream().noneMatch(pattern -> passesThrough(pattern, name))) {
                throw new ConfigurationException("option '" + name + "' is not known to the " + driver.name()
                        + " driver; it accepts " + known);
            }
        }
    }
}
