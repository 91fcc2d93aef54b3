package org.scorepipe.runtime.run;

import java.util.List;
import java.util.Map;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Observer;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;
import org.scorepipe.runtime.checkpoint.CheckpointShard;
import org.scorepipe.runtime.checkpoint.CheckpointShards;
import org.scorepipe.runtime.checkpoint.Health;

/**
 * Holds the ensemble and runs segments of stages over it. Implementations differ in where the
 * particles live and where blocks run (this JVM's threads, Spark executors) but never in what
 * they compute: a particle's path depends only on the seed, the stage, the step and its index.
 * What happens between segments (observers, checkpoints, stopping) is the {@link Execution}'s
 * business, the same for every runner; how an observer is fed is the runner's ({@link #observe}).
 */
public interface Runner extends AutoCloseable {
    /** Takes {@code particles} as the ensemble to work on (the runner may distribute and keep it). */
    void load(Particles particles);

    /**
     * Takes a fresh ensemble of {@code n} particles at the origin, at time 0, from index 0: a run's
     * start. By default made here; a distributed runner makes its ranges where they will live, so
     * a run starts without the ensemble ever being on this JVM.
     */
    default void loadFresh(int n, int dimension) {
        load(new Particles(n, dimension));
    }

    /**
     * Takes the particles of a sharded checkpoint as the ensemble, with the rows its shards carry
     * for the row-memory components the pipeline has now ({@code rowWidths}, by key path; others
     * are dropped). By default they are read here, shard by shard in index order; a distributed
     * runner reads them where it keeps its ranges, however many ranges it has.
     *
     * @throws org.scorepipe.runtime.checkpoint.CheckpointException naming a shard that is missing or damaged
     */
    default void load(CheckpointFolder folder, Checkpoint manifest, Map<String, Integer> rowWidths) {
        CheckpointShards.Slice all = CheckpointShards.readRange(folder, CheckpointShards.Position.of(manifest),
                manifest.dimension(), manifest.shards(), manifest.firstIndex(), manifest.n());
        Particles particles = new Particles(manifest.n(), manifest.dimension(), manifest.firstIndex(), all.data(), manifest.time());
        RowStates.kept(all.rows(), rowWidths, manifest.n()).forEach(particles::putRowState);
        load(particles);
    }

    /**
     * The largest |x| of any coordinate of the ensemble, NaN if any is NaN: what the health check
     * before a checkpoint measures ({@link org.scorepipe.runtime.checkpoint.Health}). By default of
     * the ensemble {@link #gather gathered}; a distributed runner computes it where the particles live.
     */
    default double maxAbs() {
        return Health.maxAbs(gather().data());
    }

    /**
     * Writes the ensemble as the shards of the checkpoint at {@code at} into {@code folder}, each
     * atomically (complete or absent), and returns them in index order, for the manifest that
     * commits them. By default the ensemble {@link #gather gathered} here, in shards of
     * {@value #LOCAL_ROWS_PER_SHARD} particles at most; a distributed runner writes each range
     * where it lives.
     *
     * @param rowKeys the key paths of the rows the particles carry that the checkpoint keeps
     */
    default List<CheckpointShard> writeCheckpointShards(CheckpointFolder folder, CheckpointShards.Position at,
            java.util.Set<String> rowKeys) {
        Particles all = gather();
        Map<String, double[]> rows = new java.util.TreeMap<>(all.rowStates());
        rows.keySet().retainAll(rowKeys);
        String token = java.util.UUID.randomUUID().toString().substring(0, 8);
        List<CheckpointShard> shards = new java.util.ArrayList<>();
        try {
            for (int from = 0; from < all.size(); from += LOCAL_ROWS_PER_SHARD) {
                int rowsHere = Math.min(LOCAL_ROWS_PER_SHARD, all.size() - from);
                long first = all.firstIndex() + from;
                String file = CheckpointShards.fileName(at.stage(), at.step(), first, token);
                CheckpointShard[] written = new CheckpointShard[1];
                int offset = from;
                folder.writeAtomically(file, out -> written[0] = CheckpointShards.write(out, file, at, first, offset, rowsHere,
                        all.dimension(), all.data(), rows, all.size()));
                shards.add(written[0]);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
        return shards;
    }

    /**
     * Sets this runner to extend a finished run of {@code n} particles, as {@link ExtendingRunner}
     * extends it on the local runner: stages move particles {@code n ..} alone, and at the end of
     * each the first {@code n} are the finished run's at that point, read from its stage-boundary
     * checkpoint in {@code folder} ({@code atStageStart}: a single file or a sharded checkpoint's
     * manifest). Inside a stage the ensemble is not whole, and what needs it is refused. By default
     * a runner cannot.
     */
    default void extendFinished(int n, CheckpointFolder folder, java.util.function.IntFunction<Checkpoint> atStageStart) {
        throw new UnsupportedOperationException(description() + " cannot extend a finished run");
    }

    /**
     * A hint before a segment: if it reaches its end, a sharded checkpoint at {@code at} follows
     * (observers may come between, which move no particle). A runner whose segments are jobs may
     * have the segment's own tasks write the shards, and hand them to {@link #writeCheckpointShards}
     * for that position, saving a job; shards of a checkpoint that is then not committed (the run
     * diverged or stopped) are named by no manifest and swept. By default ignored.
     */
    default void checkpointAfterSegment(CheckpointFolder folder, CheckpointShards.Position at, java.util.Set<String> rowKeys) {
    }

    /**
     * Whether this runner's checkpoints are sharded when the pipeline leaves it to the runner
     * ({@code checkpoint.layout: auto}): a runner whose ensemble lives on other machines says yes,
     * so that no checkpoint brings the particles to this JVM.
     */
    default boolean shardsCheckpoints() {
        return false;
    }

    /**
     * Runs steps {@code [from, to)} of {@code stage} on every particle, each block through the
     * whole segment, unless {@code control} lowers the limit (a stop request). A whole-ensemble
     * stage sees every particle in one block, on one thread.
     *
     * @param time the ensemble's time when the segment starts
     * @return the step all particles have reached ({@code to}, or less after a stop request) and
     *     what the stage's counting components counted, summed over every block
     */
    SegmentResult runSegment(long seed, PlannedStage stage, double time, long from, long to, RunControl control);

    /**
     * The ensemble as it stands, on this JVM: the very object a local runner works on, or the
     * particles gathered range by range from wherever they live. Its time is not maintained
     * here: the caller sets it.
     */
    Particles gather();

    /**
     * Feeds {@code observer} the ensemble as it stands, at time {@code at.time()}. By default it
     * sees the particles {@link #gather() gathered} on this JVM (or an empty ensemble, if it
     * {@link Observer#readsParticles reads none}); a distributed runner may feed a
     * {@link org.scorepipe.api.MergeableObserver} statistics computed where the particles live.
     *
     * @param point which observer of the pipeline it is, for a runner whose workers hold their own copies
     */
    default void observe(ObserverPoint point, Observer observer, Observation at) {
        Particles particles;
        if (observer.readsParticles()) {
            particles = gather();
        } else {
            Particles all = gather();
            particles = new Particles(0, all.dimension(), all.firstIndex(), new double[0], at.time());
        }
        particles.setTime(at.time());
        observer.observe(particles, at);
    }

    /**
     * How long a segment should last at most, so that a stop request is honoured within about
     * that time: a segment ends the blocks' common steps. Shorter segments never change a byte,
     * only how often the blocks meet. Unbounded by default (a distributed runner's segment is a
     * job, whose start costs more than staying in cache gains).
     */
    default long segmentNanos() {
        return Long.MAX_VALUE;
    }

    /**
     * Writes every particle as a dataset straight from where the particles live, so that no
     * single machine holds the ensemble: {@code npy-shards} ({@link NpyShards}, every runner: this
     * default writes the ensemble it {@link #gather gathers}, in shards of {@value #LOCAL_ROWS_PER_SHARD}
     * particles at most) or {@code parquet}, one row per particle (its index and its coordinates),
     * which the Spark runner writes from its executors. Behind
     * {@link org.scorepipe.api.RunOutputs#saveDataset} in what an {@link Observer} is handed.
     *
     * @param stage the stage asking, for messages
     * @param name a file name in the run directory ({@code samples.npy}; for parquet a folder name, or a URI)
     * @param format the dataset format: {@code npy-shards} or {@code parquet}
     * @param runDirectory the run directory
     * @return where the dataset went (for npy shards, their index)
     * @throws UnsupportedOperationException if this runner writes no datasets in this format, saying what to use
     */
    default String writeDataset(String stage, String name, String format, java.nio.file.Path runDirectory) {
        if (LOCAL_DATASET_FORMATS.contains(format)) {
            return NpyShards.writeLocal(runDirectory, name, gather(), LOCAL_ROWS_PER_SHARD).toString();
        }
        throw new UnsupportedOperationException("writing the samples as a " + format + " dataset needs a runner that writes"
                + " datasets, such as spark (--runner spark, e.g. with --master 'local[*]'); " + description()
                + " writes .npy files (format: npy or npy-shards)");
    }

    /** The dataset formats that every runner writes, by this default: {@code npy-shards}. */
    java.util.Set<String> LOCAL_DATASET_FORMATS = java.util.Set.of("npy-shards");

    /** The most particles in one shard that a runner holding the ensemble on this JVM writes: 2^20. */
    int LOCAL_ROWS_PER_SHARD = 1 << 20;

    /** A short description for logs, e.g. {@code "local, 2 threads, blocks of 1024"}. */
    String description();

    @Override
    void close();
}
