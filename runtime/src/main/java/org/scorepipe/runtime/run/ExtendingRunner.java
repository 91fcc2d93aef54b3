package org.scorepipe.runtime.run;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;

/**
 * Runs an ensemble of {@code m} particles of which the first {@code n} are a finished run's: the
 * stages that move particles run on particles {@code n .. m-1} alone (a particle's noise depends
 * only on its index, so they become exactly what an {@code m}-particle run makes of them), and at
 * the end of each such stage the first {@code n} rows are filled with the finished run's particles
 * at that point, read from its stage-boundary checkpoint. Observers (evaluate, save) then see all
 * {@code m} particles, exactly as in an {@code m}-particle run. What row-memory components (a
 * multistep solver) remember lives in the rows of the particles that run, so the extension's
 * particles make their own history, as they would in an {@code m}-particle run.
 *
 * <p>Inside a stage the first {@code n} rows are not known, so the ensemble is whole only at
 * stage boundaries: {@link #gather} inside a stage (a curve point, a checkpoint on a stop request)
 * is refused. Whole-ensemble stages that move particles cannot be extended at all; the caller
 * refuses them.
 */
public final class ExtendingRunner implements Runner {
    private final LocalRunner local;
    private final int n;
    private final IntFunction<double[]> finishedAtStageStart;
    private Particles full;
    private Particles extension;
    private String insideStage;

    /**
     * @param local runs the segments
     * @param n the finished run's particles
     * @param finishedAtStageStart the finished run's particles at the start of stage {@code s}, {@code n d} values
     */
    public ExtendingRunner(LocalRunner local, int n, IntFunction<double[]> finishedAtStageStart) {
        this.local = requireNonNull(local, "local is null");
        this.n = n;
        this.finishedAtStageStart = requireNonNull(finishedAtStageStart, "finishedAtStageStart is null");
    }

    @Override
    public void load(Particles particles) {
        if (particles.firstIndex() != 0 || particles.size() <= n) {
            throw new IllegalArgumentException("an extension of " + n + " particles needs more, from index 0; got "
                    + particles.size() + " from " + particles.firstIndex());
        }
        full = particles;
        int d = particles.dimension();
        extension = new Particles(particles.size() - n, d, n, Arrays.copyOfRange(particles.data(), n * d, particles.size() * d),
                particles.time());
    }

    @Override
    public SegmentResult runSegment(long seed, PlannedStage planned, double time, long from, long to, RunControl control) {
        if (planned.stage().wholeEnsemble()) {
            full.setTime(time);
            return local.runSegment(seed, planned, full, from, to, control);
        }
        insideStage = planned.name();
        extension.setTime(time);
        SegmentResult result = local.runSegment(seed, planned, extension, from, to, control);
        if (result.reached() == planned.stage().steps()) {
            int d = full.dimension();
            double[] finished = finishedAtStageStart.apply(planned.index() + 1);
            System.arraycopy(finished, 0, full.data(), 0, n * d);
            System.arraycopy(extension.data(), 0, full.data(), n * d, extension.size() * d);
            insideStage = null;
        }
        return result;
    }

    @Override
    public Particles gather() {
        if (insideStage != null) {
            throw new ScorepipeException("an extension knows the finished run's particles only at stage boundaries, not inside"
                    + " stage '" + insideStage + "': it has no curve points or checkpoints inside a stage, and a stopped"
                    + " extension starts again with `scorepipe extend`");
        }
        return full;
    }

    @Override
    public long segmentNanos() {
        return local.segmentNanos();
    }

    @Override
    public String description() {
        return local.description() + ", extending particles " + n + " and on";
    }

    @Override
    public void close() {
        local.close();
    }
}
