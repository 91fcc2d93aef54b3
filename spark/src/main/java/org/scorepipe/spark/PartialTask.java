package org.scorepipe.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.scorepipe.api.Block;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.MergeableStage;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * One Spark task of a mergeable whole-ensemble stage (an evaluate stage whose evaluators merge):
 * the statistics of each chunk of {@link MergeableEvaluator#CHUNK} particles of one range, in
 * index order, computed where the range lives. The driver sums them chunk by chunk, exactly as
 * the local runner does, so the metrics are the same numbers; only these short vectors travel.
 */
final class PartialTask implements Function<RangeState, PartialTask.Chunks> {
    private static final long serialVersionUID = 1L;

    private final String pipelineKey;
    private final String resolvedYaml;
    private final String pluginFolder;
    private final long seed;
    private final int stageIndex;
    private final double time;

    PartialTask(String pipelineKey, String resolvedYaml, String pluginFolder, long seed, int stageIndex, double time) {
        this.pipelineKey = pipelineKey;
        this.resolvedYaml = resolvedYaml;
        this.pluginFolder = pluginFolder;
        this.seed = seed;
        this.stageIndex = stageIndex;
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
            Pipeline.PlannedStage planned = pipeline.stages().get(stageIndex);
            MergeableStage stage = (MergeableStage) planned.stage();
            Particles particles = new Particles(range.n(), range.dimension(), range.firstIndex(), range.data(), time);
            PhiloxNoise noise = PhiloxNoise.of(seed, planned.noiseKey(), 0);
            for (Block chunk : MergeableEvaluator.chunks(particles.all())) {
                out.add(stage.partial(chunk, time, noise));
            }
            return new Chunks(out, null);
        } catch (RuntimeException | LinkageError e) {
            return new Chunks(List.of(), "an executor could not compute the statistics of stage " + stageIndex + ": " + e);
        }
    }
}
