package org.scorepipe.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class as a pipeline component of a kind, under the name configs use for it
 * ({@code type: langevin}).
 *
 * <p>The class implements the kind's interface and has one constructor annotated with
 * {@code @jakarta.inject.Inject}. That constructor may take: the component's parameter record
 * (a {@code record} nested in the class, bound from its config section), other components by
 * their kind's interface (resolved from the section's key for that kind, or the pipeline's
 * only shared component of that kind), the run's {@link PipelineSpec} and {@link BuildNoise},
 * and, for a stage, its {@link StageSpec}. Nothing a component is built with writes outputs: a
 * stage reports on its work through {@link Block#report}, an {@link Observer} through its
 * {@link Observation}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Component {
    ComponentKind kind();

    String name();

    /** One or two sentences for {@code scorepipe plugins describe}. */
    String doc() default "";
}
