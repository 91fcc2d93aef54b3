package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.Optional;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.Stage;
import org.scorepipe.api.TimeGrid;

/**
 * Integrates the reverse process along a time grid {@code t_0 > t_1 > ... > t_N}, optionally
 * correcting after every prediction (the predictor-corrector scheme of Song et al. 2021, analysed
 * in Lee, Lu, Tan, polynomial complexity, and arXiv 2305.14164). Step {@code k} is
 * <pre>
 *   x = predictor(x, t_k -&gt; t_{k+1})          streams [0, CORRECTOR_STREAMS) of the step's noise
 *   x = corrector(x, t_{k+1})   (if present)   streams [CORRECTOR_STREAMS, ...)
 * </pre>
 * and leaves the particles at {@code t_{k+1}}: {@code N} steps in all.
 */
@Component(kind = ComponentKind.STAGE, name = "sample",
        doc = "Runs a predictor backwards along a time grid, with an optional corrector after each step.")
public final class SampleStage implements Stage {

    /**
     * The first stream the corrector draws from: the predictor uses streams below it, the
     * corrector's inner step {@code j} uses stream {@code CORRECTOR_STREAMS + j}, so the two never
     * share a draw (as long as the predictor needs fewer than 65536 streams).
     */
    public static final int CORRECTOR_STREAMS = 1 << 16;

    private final double[] times;
    private final Predictor predictor;
    private final Corrector corrector;

    @Inject
    public SampleStage(TimeGrid grid, Predictor predictor, Optional<Corrector> corrector) {
        requireNonNull(grid, "grid is null");
        this.predictor = requireNonNull(predictor, "predictor is null");
        this.corrector = requireNonNull(corrector, "corrector is null").orElse(null);
        this.times = checkedReverseTimes(grid.times());
    }

    private static double[] checkedReverseTimes(double[] times) {
        if (times == null || times.length < 2) {
            throw new IllegalArgumentException("the sample stage needs a grid of at least two times, got "
                    + (times == null ? "none" : Arrays.toString(times)) + "; check the grid's steps");
        }
        for (int k = 0; k < times.length; k++) {
            if (!Double.isFinite(times[k])) {
                throw new IllegalArgumentException("the sample stage's grid has a non-finite time at position "
                        + k + ": " + times[k]);
            }
            if (k > 0 && !(times[k] < times[k - 1])) {
                throw new IllegalArgumentException("the sample stage runs backwards in time: its grid must be strictly"
                        + " decreasing, but time " + k + " (" + times[k] + ") is not below time " + (k - 1) + " ("
                        + times[k - 1] + "); to noise forward use a forward stage");
            }
        }
        return times.clone();
    }

    /** As its corrector: a step size from ensemble averages needs every particle at once. */
    @Override
    public boolean wholeEnsemble() {
        return corrector != null && corrector.wholeEnsemble();
    }

    @Override
    public long steps() {
        return times.length - 1;
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k < 0 || k >= times.length - 1) {
            throw new IllegalArgumentException("step " + k + " outside [0, " + (times.length - 1) + ")");
        }
        int i = (int) k;
        predictor.step(block, times[i], times[i + 1], noise);
        if (corrector != null) {
            corrector.correct(block, times[i + 1], noise.streams(CORRECTOR_STREAMS));
        }
    }

    /** {@code t_k}, the grid's {@code k}-th time. */
    @Override
    public double time(long k, double start) {
        if (k < 0 || k >= times.length) {
            throw new IllegalArgumentException("step " + k + " outside [0, " + (times.length - 1) + "]");
        }
        return times[(int) k];
    }
}
