package io.cloudportal.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cloudportal.Portal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;

/** {@code spring.config.import=portal:}: properties from the KV store at startup, rebound when a key changes. */
class PortalConfigTest {

    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final String backend = "memory://config-" + UUID.randomUUID();

    @Test
    void keysUnderThePrefixAreLoadedAtStartupAndAChangeRebindsTheProperties() {
        try (Portal operator = Portal.connect(backend)) {
            put(operator, "config/shop/checkout/currency", "EUR");
            put(operator, "config/shop/checkout.max-items", "10");
            put(operator, "config/other/checkout/currency", "GBP");
            try (ConfigurableApplicationContext shop = new SpringApplicationBuilder(Shop.class).web(WebApplicationType.NONE)
                    .run("--portal.url=" + backend, "--spring.application.name=shop", "--spring.config.import=portal:")) {
                Checkout checkout = shop.getBean(Checkout.class);
                assertThat(checkout.getCurrency()).as("read at startup, from the application's own prefix").isEqualTo("EUR");
                assertThat(checkout.getMaxItems()).isEqualTo(10);
                assertThat(shop.getEnvironment().getProperty("checkout.currency")).isEqualTo("EUR");

                long changed = System.nanoTime();
                put(operator, "config/shop/checkout/currency", "CHF");
                await().atMost(PATIENCE).until(() -> "CHF".equals(shop.getBean(Checkout.class).getCurrency()));
                org.slf4j.LoggerFactory.getLogger(PortalConfigTest.class).info("rebound {} ms after the change",
                        Duration.ofNanos(System.nanoTime() - changed).toMillis());
                operator.kvStore().delete("config/shop/checkout.max-items");
                await().atMost(PATIENCE).until(() -> shop.getBean(Checkout.class).getMaxItems() == 0);
                assertThat(shop.getEnvironment().getProperty("checkout.max-items")).isNull();
            }
        }
    }

    @Test
    void aRequiredImportWithoutPortalUrlFailsStartupSayingSo() {
        SpringApplicationBuilder shop = new SpringApplicationBuilder(Shop.class).web(WebApplicationType.NONE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> shop.run("--spring.config.import=portal:").close())
                .hasStackTraceContaining("portal.url is not set");
    }

    private static void put(Portal portal, String key, String value) {
        portal.kvStore().put(key, value.getBytes(StandardCharsets.UTF_8));
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @EnableConfigurationProperties(Checkout.class)
    static class Shop {
    }

    @ConfigurationProperties("checkout")
    public static class Checkout {
        private String currency;
        private int maxItems;

        public String getCurrency() {
            return currency;
        }

        public void setCurrency(String currency) {
            this.currency = currency;
        }

        public int getMaxItems() {
            return maxItems;
        }

        public void setMaxItems(int maxItems) {
            this.maxItems = maxItems;
        }
    }
}
