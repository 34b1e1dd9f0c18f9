/**
 * Portal's API: the facilities an application codes against, and the SPI its drivers implement.
 * The portable layer's implementation ({@code io.cloudportal.internal}) is not exported.
 */
module io.cloudportal.api {
    requires org.slf4j;

    exports io.cloudportal;
    exports io.cloudportal.coordination;
    exports io.cloudportal.kv;
    exports io.cloudportal.leader;
    exports io.cloudportal.lock;
    exports io.cloudportal.messaging;
    exports io.cloudportal.observation;
    exports io.cloudportal.registry;
    exports io.cloudportal.spi;

    uses io.cloudportal.spi.PortalDriver;
}
