package org.scorepipe.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.scorepipe.api.Block;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.MergeableObserver;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.run.ObserverPoint;

/**
 * One Spark task of a mergeable observer (an evaluate entry or curve whose evaluators merge):
 * the statistics of each chunk of {@link MergeableEvaluator#CHUNK} particles of one range, in
 * index order, computed where the range lives. The driver sums them chunk by chunk, exactly as
 * the local runner does, so the metrics are the same numbers; only these short vectors travel.
 */
final class PartialTask implements Function<RangeState, PartialTask.Chunks> {
    private static final long serialVersionUID = 1L;

    private final String pipelineKey;
    private final String resolvedYaml;
    private final String pluginFolder;
    private final ObserverPoint point;
    private final double time;

    PartialTask(String pipelineKey, String resolvedYaml, String pluginFolder, ObserverPoint point, double time) {
        this.pipelineKey = pipelineKey;
        this.resolvedYaml = resolvedYaml;
        this.pluginFolder = pluginFolder;
        this.point = point;
        this.time = time;
    }

    /** A range's chunk statistics in index order, or why they could not be computed. */
    record Chunks(List<double[]> statistics, String error) implements Serializable {
    }

    @Override
    public Chunks call(RangeState range) {
        if (range.error() != null) {
            return new Chunks(List.of(), range.error());
        }
        List<double[]> out = new ArrayList<>();
        if (range.n() == 0) {
            return new Chunks(out, null);
        }
        try {
            Pipeline pipeline = ExecutorPipelines.get(pipelineKey, resolvedYaml, pluginFolder);
            MergeableObserver observer = (MergeableObserver) point.observerIn(pipeline);
            Pipeline.Entry owner = pipeline.entries().get(point.entry());
            Particles particles = new Particles(range.n(), range.dimension(), range.firstIndex(), range.data(), time);
            // The same observation as the driver's, but its outputs are never written: a partial only computes.
            Observation at = new Observation(owner.name(), point.step(), time, point.noise(pipeline.spec().seed(), owner), NO_OUTPUTS);
            for (Block chunk : MergeableEvaluator.chunks(particles.all())) {
                out.add(observer.partial(chunk, at));
            }
            return new Chunks(out, null);
        } catch (RuntimeException | LinkageError e) {
            return new Chunks(List.of(), "an executor could not compute the statistics of " + point + ": " + e);
        }
    }

    private static final RunOutputs NO_OUTPUTS = new RunOutputs() {
        @Override
        public void recordMetrics(String stage, double time, Metrics metrics) {
            throw new IllegalStateException("a partial observation records nothing");
        }

        @Override
        public void saveSamples(String stage, String fileName, Particles particles) {
            throw new IllegalStateException("a partial observation saves nothing");
        }
    };
}
