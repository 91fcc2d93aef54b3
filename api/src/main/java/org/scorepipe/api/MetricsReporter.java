package org.scorepipe.api;

/**
 * A component that measures itself while it works, such as a Metropolis-adjusted corrector
 * counting acceptances. After each stage that uses it the runtime records its {@link #report()}
 * under the stage's name next to the evaluators' metrics.
 *
 * <p>Counters must give the same report for any thread count or blocking (count integers, not
 * floating-point sums in arrival order). A reporter whose counts must survive a resume also
 * implements {@link Checkpointable}.
 */
public interface MetricsReporter {
    /** What the component measured since it was built. */
    Metrics report();
}
