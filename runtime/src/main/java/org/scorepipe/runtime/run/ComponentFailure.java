package org.scorepipe.runtime.run;

import java.util.LinkedHashMap;
import java.util.Map;
import org.scorepipe.api.Component;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline.NamedComponent;
import org.scorepipe.runtime.assembly.Pipeline.Entry;
import org.scorepipe.runtime.assembly.Pipeline.PlannedObserver;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.plugins.Artifact;

/**
 * What a component threw while a stage or observer ran, as the one message a user reads: the stage and step,
 * the component (key path, kind and type), the jar it came from, and the exception. The
 * exception stays the cause, so {@code run.log} and {@code --debug} keep its trace.
 *
 * <p>An {@link IllegalArgumentException} or {@link IllegalStateException} is a component's way of
 * saying what is wrong: it becomes a plain {@link ScorepipeException} with its message. Anything
 * else (an {@link ArithmeticException}, a {@link NullPointerException}, a
 * {@link StackOverflowError}) is a bug in the component, or a fault of the machine (an
 * {@link OutOfMemoryError}): a {@code ComponentFailure}, which says so, and which a distributed
 * runner may retry where the plain message of a mistake would fail the same way again. The component is the innermost frame of the trace
 * whose class is one of the stage's components, else the stage itself. The message depends only
 * on the exception, never on the thread it was thrown in, so it is the same for any thread count.
 */
public final class ComponentFailure extends ScorepipeException {
    private static final long serialVersionUID = 1L;

    private ComponentFailure(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * The failure of {@code planned} while {@code doing} (e.g. {@code "step 3"} or
     * {@code "evaluating at step 100"}). A {@link ScorepipeException} is already a complete
     * message and is returned as it is.
     */
    public static ScorepipeException of(Entry planned, String doing, Throwable thrown) {
        if (thrown instanceof ScorepipeException s) {
            return s;
        }
        if (thrown instanceof IllegalArgumentException || thrown instanceof IllegalStateException) {
            return new ScorepipeException("stage '" + planned.name() + "': " + thrown.getMessage(), thrown);
        }
        String where = "stage '" + planned.name() + "', " + doing;
        NamedComponent culprit = culprit(planned, thrown);
        String advice = thrown instanceof OutOfMemoryError
                ? "The JVM ran out of memory: use fewer particles or give it more (e.g. SCOREPIPE_JAVA_OPTS=-Xmx8g)."
                : "This is a bug in that component, not a mistake in the pipeline: report it to its authors with the trace,"
                        + " which is in run.log (--debug prints it here too).";
        return new ComponentFailure(where + ": " + describe(culprit) + " failed with " + oneLine(thrown) + ". " + advice, thrown);
    }

    /** The innermost component of the stage in the trace of {@code thrown} (or of its causes); the stage if none. */
    private static NamedComponent culprit(Entry planned, Throwable thrown) {
        Map<String, NamedComponent> byClass = new LinkedHashMap<>();
        for (NamedComponent c : planned.components()) {
            byClass.putIfAbsent(outerName(c.component().getClass().getName()), c);
        }
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                NamedComponent c = byClass.get(outerName(frame.getClassName()));
                if (c != null) {
                    return c;
                }
            }
        }
        Object own = planned instanceof PlannedStage stage ? stage.stage() : ((PlannedObserver) planned).observer();
        return new NamedComponent("stages." + planned.name(), own);
    }

    /** {@code Outer} for {@code Outer}, {@code Outer$Inner}, {@code Outer$1} and {@code Outer$$Lambda$7}. */
    private static String outerName(String className) {
        int dollar = className.indexOf('$');
        return dollar < 0 ? className : className.substring(0, dollar);
    }

    /** {@code components.score (score provider 'analytic', core-0.1.jar 0.1)}. */
    private static String describe(NamedComponent c) {
        Class<?> type = c.component().getClass();
        Component annotation = type.getAnnotation(Component.class);
        String what = annotation == null ? type.getName() : annotation.kind().label() + " '" + annotation.name() + "'";
        Artifact artifact = Artifact.of(type);
        String version = Artifact.UNKNOWN_VERSION.equals(artifact.version()) ? "" : " " + artifact.version();
        return c.path() + " (" + what + ", " + artifact.jar() + version + ")";
    }

    private static String oneLine(Throwable t) {
        return t.toString().replaceAll("\\s*\\R\\s*", " ");
    }
}
