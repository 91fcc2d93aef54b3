package org.scorepipe.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.run.ComponentFailure;
import org.scorepipe.runtime.run.Counts;
import org.scorepipe.runtime.run.LocalRunner;
import org.scorepipe.runtime.run.RunControl;

/**
 * One Spark task: a whole segment of steps {@code [from, to)} of one stage on one partition's
 * range, run by the local runner's own code on a {@link Particles} whose first index is the
 * range's, so every particle draws exactly the noise it draws on the local runner. What the
 * stage's counting components counted in the range travels back with it, to be summed on the driver.
 * The rows the range carries for row-memory components (a multistep solver's history) go into the
 * particles under their key paths, the stage's components find them there, and the new range
 * carries them on: they stay with the particles on the executors, as the coordinates do.
 *
 * <p>It works on a copy of the input range, rows included: the parent partition may be cached, and a retried
 * task (a failed attempt, a lost executor) must start again from the same bytes.
 */
final class SegmentTask implements FlatMapFunction<Iterator<RangeState>, RangeState> {
    private static final long serialVersionUID = 1L;

    private final String pipelineKey;
    private final String resolvedYaml;
    private final String pluginFolder;
    private final long seed;
    private final int stageIndex;
    private final double time;
    private final long from;
    private final long to;
    private final int blockSize;
    /** Particles below this global index are a finished run's, which an extension does not move (0: none). */
    private final long keepBelow;
    /** Where the checkpoint due at the segment's end goes, which each task writes of its range; null if none. */
    private final ShardsAfter shardsAfter;

    /** A sharded checkpoint due at the end of a segment: its folder's URI, its position, the rows it keeps. */
    record ShardsAfter(String folder, org.scorepipe.runtime.checkpoint.CheckpointShards.Position at,
            java.util.Set<String> rowKeys) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    SegmentTask(String pipelineKey, String resolvedYaml, String pluginFolder, long seed, int stageIndex, double time, long from,
            long to, int blockSize, long keepBelow, ShardsAfter shardsAfter) {
        this.keepBelow = keepBelow;
        this.shardsAfter = shardsAfter;
        this.pipelineKey = pipelineKey;
        this.resolvedYaml = resolvedYaml;
        this.pluginFolder = pluginFolder;
        this.seed = seed;
        this.stageIndex = stageIndex;
        this.time = time;
        this.from = from;
        this.to = to;
        this.blockSize = blockSize;
    }

    @Override
    public Iterator<RangeState> call(Iterator<RangeState> ranges) throws java.io.IOException {
        List<RangeState> out = new ArrayList<>(1);
        while (ranges.hasNext()) {
            RangeState next = run(ranges.next());
            if (shardsAfter != null && next.error() == null && next.n() > 0) {
                // The checkpoint due at the segment's end, written while the range is at hand: no job of its own.
                next = next.writtenAs(CheckpointShardTask.write(HadoopCheckpointFolder.onExecutor(shardsAfter.folder()), next,
                        shardsAfter.at(), shardsAfter.rowKeys(), CheckpointShardTask.token()));
            }
            out.add(next);
        }
        return out.iterator();
    }

    private RangeState run(RangeState range) {
        if (range.error() != null || range.n() == 0) {
            return range;
        }
        int skip = (int) Math.min(range.n(), Math.max(0, keepBelow - range.firstIndex()));
        if (skip == range.n()) {
            return new RangeState(range.firstIndex(), range.n(), range.dimension(), range.data(), null, Counts.NONE, range.rows());
        }
        Pipeline pipeline;
        try {
            pipeline = ExecutorPipelines.get(pipelineKey, resolvedYaml, pluginFolder);
        } catch (RuntimeException | LinkageError e) {
            // Deterministic on this executor: a plugin that does not load here, a component that
            // cannot be built. Reported, not thrown: a LinkageError would take the executor down.
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            String why = e instanceof ScorepipeException || cause == e ? String.valueOf(e.getMessage())
                    : e.getMessage() + " (caused by " + cause + ")";
            return range.failed("an executor could not build the pipeline: " + why);
        }
        PlannedStage planned = (PlannedStage) pipeline.entries().get(stageIndex);
        Particles particles = skip == 0 ? range.copy(time) : range.copyTail(skip, time);
        Counts counts;
        try (LocalRunner runner = new LocalRunner(1, blockSize)) {
            counts = runner.runSegment(seed, planned, particles, from, to, new RunControl()).counts();
        } catch (ComponentFailure e) {
            // a component's bug or the machine's fault (out of memory): perhaps transient, so Spark retries it
            throw e;
        } catch (ScorepipeException e) {
            // deterministic (a diverging step, a component's own check): retrying gives the same
            return range.failed(e.getMessage());
        }
        if (skip > 0) {
            // An extension's range: its first rows (a finished run's) stay as they are.
            return range.spliced(skip, Arrays.copyOf(range.data(), skip * range.dimension()), head(range, skip), particles, counts);
        }
        return new RangeState(range.firstIndex(), range.n(), range.dimension(), particles.data(), null, counts,
                particles.rowStates());
    }

    /** The rows of the range's first {@code k} particles, by key. */
    private static java.util.Map<String, double[]> head(RangeState range, int k) {
        java.util.Map<String, double[]> head = new java.util.TreeMap<>();
        range.rows().forEach((key, r) -> head.put(key, Arrays.copyOf(r, k * (r.length / range.n()))));
        return head;
    }
}
