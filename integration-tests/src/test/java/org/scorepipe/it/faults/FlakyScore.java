package org.scorepipe.it.faults;

import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.ScoreProvider;

/**
 * A test double: the wrapped score, except that the first attempt of the Spark task of
 * partition 1 throws in the middle of its segment (at its tenth score call, after it has
 * already moved its particles), as a transient fault of a real cluster would.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "flaky", doc = "Test double: the wrapped score, failing the first attempt of one Spark task.")
public final class FlakyScore implements ScoreProvider {
    /** Parameters. */
    public record Params(@Doc("whether to fail at all") @Default("true") boolean fail) {
    }

    private static final Map<Long, Integer> CALLS = new ConcurrentHashMap<>();

    private final ScoreProvider score;
    private final boolean fail;

    @Inject
    public FlakyScore(Params params, ScoreProvider score) {
        this.score = score;
        this.fail = params.fail();
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        long[] task = fail ? SparkTasks.current() : null;
        if (task != null && task[0] == 1 && task[1] == 0 && CALLS.merge(task[2], 1, Integer::sum) == 10) {
            throw new RuntimeException("simulated transient fault in the first attempt of partition 1's task");
        }
        score.score(x, offset, rows, t, out);
    }

    @Override
    public boolean hasLogDensity() {
        return score.hasLogDensity();
    }

    @Override
    public void logDensity(double[] x, int offset, int rows, double t, double[] out) {
        score.logDensity(x, offset, rows, t, out);
    }

}
