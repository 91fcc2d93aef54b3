package org.scorepipe.api;

import java.util.List;

/**
 * The service a plugin jar registers in
 * {@code META-INF/services/org.scorepipe.api.Plugin}: its name and its component classes.
 */
public interface Plugin {
    /**
     * The API version, {@code major.minor}. A runtime loads plugins of its own major version
     * whose minor version is not newer than its own.
     */
    String API_VERSION = "1.1";

    /** A short, unique name, e.g. {@code core}. */
    String name();

    /** The classes annotated with {@link Component} that this plugin contributes. */
    List<Class<?>> components();

    /**
     * The API version this plugin was compiled against. Implement it as
     * {@code return API_VERSION;}: the compiler copies the constant into the plugin's class, so
     * the value is the one of the api jar the plugin was built with.
     */
    String apiVersion();
}
