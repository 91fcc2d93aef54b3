package org.scorepipe.it.faults;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.ScoreProvider;

/**
 * A test double for a plugin jar that the executors cannot load (a native library present
 * only on the driver's machine, say): its class fails to initialise inside a Spark task.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "driver-only", doc = "Test double: the wrapped score; cannot be loaded inside a Spark task.")
public final class DriverOnlyScore implements ScoreProvider {
    static {
        if (SparkTasks.current() != null) {
            throw new IllegalStateException("libdriveronly.so is not installed on this machine");
        }
    }

    private final ScoreProvider score;

    @Inject
    public DriverOnlyScore(ScoreProvider score) {
        this.score = score;
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        score.score(x, offset, rows, t, out);
    }

}
