package org.scorepipe.runtime.checkpoint;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything an exact resume needs: where the run stands, the particles and the rows they
 * carry for {@code RowMemory} components, the totals of counting components, the metrics so far, and what produced them (the resolved
 * config with a hash per stage, the seed, the noise generator).
 *
 * <p>The position is "stage {@code stage} has completed {@code step} steps"; a checkpoint taken
 * at the end of a stage points at step 0 of the next one, so the finished stage is behind it
 * and every later stage may still be changed on resume.
 *
 * @param runId the identity of the run that wrote it ({@code run.id} of its {@code config.yaml})
 * @param pipeline the pipeline's name
 * @param seed the seed of all noise
 * @param noiseGenerator the noise generator's name and version ({@code PhiloxNoise.GENERATOR})
 * @param config the resolved pipeline, as YAML
 * @param stageNames the stages' names, in order
 * @param stageHashes each stage's config hash, in order
 * @param stage index of the stage in progress (or of the next one; the number of stages once all are done)
 * @param step steps of that stage already done
 * @param stageStartTime the particles' time when that stage began
 * @param stageStartMaxAbs the largest |x| of any coordinate when that stage began: the scale the
 *     health check measures growth against ({@link Health})
 * @param time the particles' time now
 * @param n number of particles
 * @param dimension their dimension
 * @param firstIndex global index of the first particle
 * @param particles the coordinates, row-major
 * @param states the totals of each {@code Counting} component, as bytes, by key path
 * @param rows the rows of each {@code RowMemory} component ({@code n * width} doubles, row-major,
 *     in particle order), by key path: what the particles remember, stored with them
 * @param metrics the run's {@code metrics.json} document so far
 * @param shards empty when {@code particles} and {@code rows} hold the ensemble (a single-file
 *     checkpoint); else the shard files beside the manifest that hold them, in index order
 *     ({@link CheckpointShards}), and {@code particles} and {@code rows} are empty
 */
public record Checkpoint(
        String runId,
        String pipeline,
        long seed,
        String noiseGenerator,
        String config,
        List<String> stageNames,
        List<String> stageHashes,
        int stage,
        long step,
        double stageStartTime,
        double stageStartMaxAbs,
        double time,
        int n,
        int dimension,
        long firstIndex,
        double[] particles,
        Map<String, byte[]> states,
        Map<String, double[]> rows,
        String metrics,
        List<CheckpointShard> shards) {

    /** A single-file checkpoint: its particles and rows are its own. */
    public Checkpoint(String runId, String pipeline, long seed, String noiseGenerator, String config, List<String> stageNames,
            List<String> stageHashes, int stage, long step, double stageStartTime, double stageStartMaxAbs, double time, int n,
            int dimension, long firstIndex, double[] particles, Map<String, byte[]> states, Map<String, double[]> rows,
            String metrics) {
        this(runId, pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step, stageStartTime,
                stageStartMaxAbs, time, n, dimension, firstIndex, particles, states, rows, metrics, List.of());
    }

    /** A checkpoint whose particles carry no rows. */
    public Checkpoint(String runId, String pipeline, long seed, String noiseGenerator, String config, List<String> stageNames,
            List<String> stageHashes, int stage, long step, double stageStartTime, double stageStartMaxAbs, double time, int n,
            int dimension, long firstIndex, double[] particles, Map<String, byte[]> states, String metrics) {
        this(runId, pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step, stageStartTime,
                stageStartMaxAbs, time, n, dimension, firstIndex, particles, states, Map.of(), metrics);
    }

    public Checkpoint {
        requireNonNull(runId, "runId is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(noiseGenerator, "noiseGenerator is null");
        requireNonNull(config, "config is null");
        stageNames = List.copyOf(stageNames);
        stageHashes = List.copyOf(stageHashes);
        requireNonNull(particles, "particles is null");
        states = new TreeMap<>(states);
        rows = new TreeMap<>(rows);
        requireNonNull(metrics, "metrics is null");
        shards = List.copyOf(shards);
        if (stageNames.size() != stageHashes.size()) {
            throw new IllegalArgumentException("one hash per stage: " + stageNames.size() + " names, " + stageHashes.size() + " hashes");
        }
        if (stage < 0 || stage > stageNames.size()) {
            throw new IllegalArgumentException("stage index " + stage + " is outside 0.." + stageNames.size());
        }
        if (step < 0 || (stage == stageNames.size() && step != 0)) {
            throw new IllegalArgumentException("step " + step + " is not a position in stage index " + stage);
        }
        if (n < 0 || dimension < 1 || firstIndex < 0) {
            throw new IllegalArgumentException(n + " x " + dimension + " particles from index " + firstIndex
                    + " are not an ensemble");
        }
        if (!(stageStartMaxAbs >= 0)) {
            throw new IllegalArgumentException("the stage's starting scale " + stageStartMaxAbs + " is not a number >= 0");
        }
        if (!shards.isEmpty()) {
            if (particles.length != 0 || !rows.isEmpty()) {
                throw new IllegalArgumentException("a sharded checkpoint keeps its particles and rows in its shards, not itself");
            }
            CheckpointShards.checkCover(shards, firstIndex, n);
        } else if (particles.length != (long) n * dimension) {
            throw new IllegalArgumentException("particles hold " + particles.length + " values, not n * d = " + (long) n * dimension);
        }
        for (Map.Entry<String, double[]> e : rows.entrySet()) {
            int length = requireNonNull(e.getValue(), "rows of " + e.getKey() + " are null").length;
            if (n == 0 ? length != 0 : length == 0 || length % n != 0) {
                throw new IllegalArgumentException("the rows of " + e.getKey() + " hold " + length + " values, no whole number"
                        + " of rows for " + n + " particles");
            }
        }
    }

    /** Whether the particles are in shard files beside this manifest ({@link #shards()}) rather than in it. */
    public boolean sharded() {
        return !shards.isEmpty();
    }

    /** This checkpoint with the particles and rows read from its shards: a single-file checkpoint. */
    Checkpoint withParticles(double[] x, Map<String, double[]> rows) {
        return new Checkpoint(runId, pipeline, seed, noiseGenerator, config, stageNames, stageHashes, stage, step,
                stageStartTime, stageStartMaxAbs, time, n, dimension, firstIndex, x, states, rows, metrics);
    }

    /** Whether every stage is done. */
    public boolean finished() {
        return stage >= stageNames.size();
    }

    /** {@code "stage 'corrector' at step 500"} or {@code "the start of stage 'sample'"}. */
    public String position() {
        if (finished()) {
            return "the end of the run";
        }
        String name = stageNames.get(stage);
        return step == 0 ? "the start of stage '" + name + "'" : "stage '" + name + "' at step " + step;
    }
}
