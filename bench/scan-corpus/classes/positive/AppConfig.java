package com.acme.app;

public final class AppConfig {
    static {
        System.setProperty("PAYMENTS_API_TOKEN", "{{generic-java}}");
        System.setProperty("app.client.secret", "{{generic-java}}");
    }
    private static final String SIGNING_KEY = "{{generic-java}}";
}
