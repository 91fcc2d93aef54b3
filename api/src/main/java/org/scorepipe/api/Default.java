package org.scorepipe.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a parameter record's component takes when its key is absent, written as it would
 * be in YAML ({@code "0.01"}, {@code "[1.0, 2.0]"}, {@code "gaussian"}). A component without a
 * default is required. The empty string stands for "none" on a {@code String} or array
 * parameter ({@code null} and an empty array respectively).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    String value();
}
