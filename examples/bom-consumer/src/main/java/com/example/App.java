package com.example;

import io.cloudportal.Portal;
import java.nio.charset.StandardCharsets;

/** The smallest Portal program: write a configuration key and read it back. */
public final class App {

    private App() {
    }

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : "memory://bom-consumer";
        try (Portal portal = Portal.connect(url)) {
            portal.kvStore().put("greeting", "hello".getBytes(StandardCharsets.UTF_8));
            String read = portal.kvStore().get("greeting").orElseThrow().valueAsString();
            if (!read.equals("hello")) {
                throw new IllegalStateException("wrote 'hello' and read back '" + read + "'");
            }
            System.out.println("Read back '" + read + "' through the " + portal.driverName() + " driver");
        }
    }
}
