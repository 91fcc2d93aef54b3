package org.scorepipe.api;

import java.util.List;

/**
 * A component that counts events while it works, such as a Metropolis-adjusted corrector
 * counting its proposals and acceptances. The counts are not the component's: a step adds them
 * to its block ({@link Block#counts}), the runner sums every block's counts when a segment ends
 * (wherever the blocks ran: threads, Spark executors), and the runtime keeps the run's totals by
 * the component's key path, writes them into checkpoints and, after each stage that uses the
 * component, records {@link #report} of the totals under the stage's name. Integer counts sum
 * exactly in any order, so the report is the same for any runner, threads or blocking, and a
 * resumed run continues the totals of the run it resumes.
 *
 * <p>A component that counts keeps no other state: it stays an immutable value built from its
 * config, which is why it runs on every runner.
 */
public interface Counting {
    /** The names of the counts, one per element of the arrays, fixed for the component's life. */
    List<String> countNames();

    /** The metrics to record from {@code totals} (in {@link #countNames} order), the run's so far. */
    Metrics report(long[] totals);
}
