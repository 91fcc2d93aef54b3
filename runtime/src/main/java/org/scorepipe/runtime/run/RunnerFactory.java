package org.scorepipe.runtime.run;

import java.util.Map;
import org.scorepipe.runtime.assembly.Pipeline;

/**
 * Makes runners of one type ({@code runner: {type: NAME}} or {@code --runner NAME}); found with
 * {@link java.util.ServiceLoader}, so a runner with heavy dependencies (Spark) is on the class
 * path only when it is wanted. The local runner is built in.
 */
public interface RunnerFactory {
    /** The type name, e.g. {@code spark}. */
    String name();

    /**
     * A runner for {@code pipeline}.
     *
     * @param pipeline the built pipeline (its runner settings included)
     * @param resolvedYaml the resolved config, from which a distributed runner rebuilds the
     *     pipeline on each executor
     * @param options runner options from the command line ({@code --conf key=value} pass-throughs)
     */
    Runner create(Pipeline pipeline, String resolvedYaml, Map<String, String> options);
}
