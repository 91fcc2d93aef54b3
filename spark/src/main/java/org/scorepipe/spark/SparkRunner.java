package org.scorepipe.spark;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.MergeableObserver;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Observer;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointException;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;
import org.scorepipe.runtime.checkpoint.CheckpointShard;
import org.scorepipe.runtime.checkpoint.CheckpointShards;
import org.scorepipe.runtime.checkpoint.Health;
import org.scorepipe.runtime.run.Counts;
import org.scorepipe.runtime.run.LocalRunner;
import org.scorepipe.runtime.run.NpyShards;
import org.scorepipe.runtime.run.ObserverPoint;
import org.scorepipe.runtime.run.RowStates;
import org.scorepipe.runtime.run.RunControl;
import org.scorepipe.runtime.run.SegmentResult;
import org.scorepipe.runtime.run.Runner;

/**
 * Runs a pipeline's stages as Spark tasks. The ensemble is split into {@code partitions}
 * contiguous ranges of particles, kept on the executors between segments as a persisted RDD of
 * {@link RangeState}s; each segment (every step up to the next checkpoint, curve point or stage
 * end) is one Spark job of one task per range, and each task runs the whole segment with the
 * local runner's code on a {@link Particles} whose first index is the range's. A particle's
 * noise is a function of its index alone, so the bytes are the local runner's for any number
 * of partitions and executors.
 *
 * <p>The rows the particles carry for {@link org.scorepipe.api.RowMemory} components (a multistep
 * solver's last estimates) are split, kept and gathered exactly as the coordinates are: each
 * range holds its particles' rows, a segment's task carries them on, and {@link #gather()}
 * joins them range by range in particle order, so a checkpoint stores the whole ensemble's.
 *
 * <p>Whole-ensemble stages and {@link #gather()} bring the ranges to the driver in particle
 * order, a batch of consecutive partitions (at most 64 MB) per job, never in one
 * {@code collect} of everything; a whole-ensemble stage sends what it moved back as new ranges.
 * Observers are fed where it costs least ({@link #observe}): a mergeable one gets statistics
 * from the executors, one that writes a dataset ({@link Observer#readsParticles()} false) leaves
 * the particles where they are.
 *
 * <p>Checkpoints are sharded by default: each range is written as a shard where it lives
 * ({@link CheckpointShardTask}), the driver writes the small manifest that names them, and a
 * resume reads the shards on the executors, re-split into this run's ranges
 * ({@link #load(CheckpointFolder, Checkpoint, Map)}), so no checkpoint brings the ensemble here.
 *
 * <p>Faults: a failed task attempt or a lost executor makes Spark recompute the ranges from
 * their lineage (the previous segment's cached ranges, or further back), and the recomputation
 * gives the same bytes because a task never changes its input. The lineage is cut whenever
 * the ensemble is on the driver anyway (a gathered checkpoint or observer) or at a sharded
 * checkpoint (the ranges are read back from its shards), once it has grown long, so a recovery
 * replays a bounded number of segments.
 */
final class SparkRunner implements Runner {
    private static final Logger LOG = LogManager.getLogger(SparkRunner.class);

    /** Segments after which the lineage is cut at the next gather. */
    private static final int MAX_LINEAGE = 16;

    /** The most bytes of particles one gathering job brings to the driver. */
    private static final long GATHER_BATCH_BYTES = 64L << 20;

    private final String resolvedYaml;
    private final String pipelineKey;
    private final SparkSession spark;
    private final JavaSparkContext sc;
    private final String pluginFolderName;
    private final int partitionsSetting;
    private final int blockSize;
    private final LocalRunner driverRunner;
    /** Whether this runner started the Spark session (and so stops it), or joined one its host had started. */
    private final boolean ownsSession;

    private JavaRDD<RangeState> state;
    /** The checkpoint due at the next segment's end, which its tasks write; the shards they wrote. */
    private SegmentTask.ShardsAfter shardsAfter;
    private Written written;
    /** The largest |x| of the ranges in {@link #state}, when its segment's summaries told it; null otherwise. */
    private Double knownMaxAbs;
    private int lineage;
    /** An extension's finished particles (0: this run is no extension), where their checkpoints are, and which stage is in progress. */
    private long extensionFrom;
    private String finishedUri;
    private java.util.function.IntFunction<Checkpoint> finishedAt;
    private String insideStage;
    private int n;
    private int dimension;
    private long firstIndex;
    private Particles gathered;
    private long jobs;

    SparkRunner(Pipeline pipeline, String resolvedYaml, SparkConf conf, Optional<Path> pluginFolder) {
        this.resolvedYaml = resolvedYaml;
        this.partitionsSetting = pipeline.runner().partitions();
        this.blockSize = pipeline.runner().blockSize();
        this.ownsSession = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        try {
            this.spark = SparkSession.builder().config(conf).getOrCreate();
        } catch (RuntimeException e) {
            throw new ScorepipeException("could not start Spark with master " + conf.get("spark.master", "(none)") + ": "
                    + rootMessage(e) + ". Check --master and the --conf settings; nothing was run", e);
        }
        this.sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String folderName = null;
        if (pluginFolder.isPresent()) {
            // Shipped with the job as an archive: every executor fetches and unpacks it, and
            // discovers the same plugins (Spark ships folders themselves only in local mode).
            Path archive = PluginArchive.pack(pluginFolder.get());
            sc.sc().addArchive(archive.toString());
            folderName = archive.getFileName().toString();
        }
        this.pluginFolderName = folderName;
        this.pipelineKey = sha256(resolvedYaml + "\n#plugins: " + folderName);
        this.driverRunner = new LocalRunner(1, Integer.MAX_VALUE);
    }

    @Override
    public String description() {
        return (extensionFrom > 0 ? "extending particles " + extensionFrom + " and on, " : "") + "spark, master " + sc.master() + ", " + (partitionsSetting > 0 ? partitionsSetting + " partitions"
                : "partitions: default parallelism (" + sc.defaultParallelism() + ")") + ", blocks of " + blockSize;
    }

    private int partitions(int particles) {
        int wanted = partitionsSetting > 0 ? partitionsSetting : sc.defaultParallelism();
        return Math.max(1, Math.min(wanted, particles));
    }

    /** Zero ranges made by the executors: nothing is shipped, nothing is held here. */
    @Override
    public void loadFresh(int particles, int d) {
        unpersist(state);
        n = particles;
        dimension = d;
        firstIndex = 0;
        gathered = null;
        int p = partitions(n);
        long[] bounds = bounds(n, p);
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            ranges.add(new long[] {bounds[i], bounds[i + 1] - bounds[i]});
        }
        state = sc.parallelize(ranges, p).map(r -> RangeState.zeros(r[0], (int) r[1], d)).persist(StorageLevel.MEMORY_AND_DISK());
        knownMaxAbs = null;
        lineage = 0;
        LOG.info("spark: {} particles in {} ranges", n, p);
    }

    @Override
    public void load(Particles particles) {
        unpersist(state);
        n = particles.size();
        dimension = particles.dimension();
        firstIndex = particles.firstIndex();
        gathered = null;
        double[] x = particles.data();
        boolean zeros = particles.rowStates().isEmpty();
        for (int i = 0; i < x.length && zeros; i++) {
            zeros = Double.doubleToRawLongBits(x[i]) == 0L;
        }
        int p = partitions(n);
        long[] bounds = bounds(n, p);
        JavaRDD<RangeState> root;
        if (zeros) {
            // A fresh ensemble: the executors make their zero ranges, nothing is shipped.
            List<long[]> ranges = new ArrayList<>();
            for (int i = 0; i < p; i++) {
                ranges.add(new long[] {firstIndex + bounds[i], bounds[i + 1] - bounds[i]});
            }
            int d = dimension;
            root = sc.parallelize(ranges, p).map(r -> RangeState.zeros(r[0], (int) r[1], d));
        } else {
            root = sc.parallelize(slices(particles, bounds), p);
        }
        state = root.persist(StorageLevel.MEMORY_AND_DISK());
        knownMaxAbs = null;
        lineage = 0;
        LOG.info("spark: {} particles in {} ranges", n, p);
    }

    /**
     * Reads a sharded checkpoint's particles on the executors: range i of this run's partitioning
     * reads its particles from the shards that hold them, whatever ranges wrote them, with the
     * rows the pipeline's components keep. A shard that is missing or damaged fails the load,
     * naming it.
     */
    @Override
    public void load(CheckpointFolder folder, Checkpoint manifest, Map<String, Integer> rowWidths) {
        unpersist(state);
        state = null;
        n = manifest.n();
        dimension = manifest.dimension();
        firstIndex = manifest.firstIndex();
        gathered = null;
        state = fromShards(uri(folder), CheckpointShards.Position.of(manifest), manifest.shards(), Optional.of(rowWidths));
        knownMaxAbs = null;
        lineage = 0;
        LOG.info("spark: {} particles read from {} shards into {} ranges on the executors", n, manifest.shards().size(),
                state.getNumPartitions());
    }

    /**
     * This run's ranges read from shards on the executors, cached, and read through once (so a
     * missing or damaged shard fails here, naming it), with the rows the pipeline keeps
     * ({@code rowWidths}; all the shards carry if empty).
     */
    private JavaRDD<RangeState> fromShards(String uri, CheckpointShards.Position at, List<CheckpointShard> shards,
            Optional<Map<String, Integer>> rowWidths) {
        int p = partitions(n);
        long[] bounds = bounds(n, p);
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < p; i++) {
            ranges.add(new long[] {firstIndex + bounds[i], bounds[i + 1] - bounds[i]});
        }
        int d = dimension;
        Map<String, Integer> widths = rowWidths.map(TreeMap::new).orElse(null);
        JavaRDD<RangeState> read = sc.parallelize(ranges, p).map(r -> {
            try {
                HadoopCheckpointFolder source = HadoopCheckpointFolder.onExecutor(uri);
                CheckpointShards.Slice slice = CheckpointShards.readRange(source, at, d, shards, r[0], (int) r[1]);
                Map<String, double[]> rows = widths == null ? slice.rows() : RowStates.kept(slice.rows(), widths, (int) r[1]);
                return new RangeState(r[0], (int) r[1], d, slice.data(), null, Counts.NONE, rows);
            } catch (ScorepipeException e) {
                return RangeState.zeros(r[0], 0, d).failed(e.getMessage());
            }
        });
        return computed(read, CheckpointException::new);
    }

    /**
     * {@code ranges} cached and computed through once, or, if a range came back with an error (a
     * shard that did not verify), nothing cached and that error thrown.
     */
    private JavaRDD<RangeState> computed(JavaRDD<RangeState> ranges, java.util.function.Function<String, ScorepipeException> error) {
        JavaRDD<RangeState> cached = ranges.persist(StorageLevel.MEMORY_AND_DISK());
        for (RangeState.Summary s : cached.map(RangeState::summary).collect()) {
            if (s.error() != null) {
                unpersist(cached);
                throw error.apply(s.error());
            }
        }
        return cached;
    }

    /** A checkpoint folder as a URI the executors reach: a local folder as {@code file://} (a shared file system). */
    private static String uri(CheckpointFolder folder) {
        String location = folder.location();
        return location.matches("[A-Za-z][A-Za-z0-9+.-]+:.*") ? location : Path.of(location).toAbsolutePath().toUri().toString();
    }

    @Override
    public boolean shardsCheckpoints() {
        return true;
    }

    /** Each range written as a shard by the executor that holds it; the driver sees their names and checksums only. */
    @Override
    public List<CheckpointShard> writeCheckpointShards(CheckpointFolder folder, CheckpointShards.Position at,
            java.util.Set<String> rowKeys) {
        requireWholeEnsemble();
        List<CheckpointShard> shards;
        if (written != null && written.state() == state && written.at().equals(at) && written.shards().size() == state.getNumPartitions()) {
            shards = written.shards();
            LOG.info("spark: {} checkpoint shards written by the segment's tasks", shards.size());
        } else {
            String group = "scorepipe-" + (++jobs);
            sc.setJobGroup(group, "checkpoint shards at stage index " + at.stage() + ", step " + at.step(), true);
            try {
                shards = new ArrayList<>(state.mapPartitions(new CheckpointShardTask(uri(folder), at, rowKeys)).collect());
            } catch (RuntimeException e) {
                throw new ScorepipeException("the executors could not write the checkpoint's shards: " + rootMessage(e), e);
            } finally {
                sc.clearJobGroup();
            }
            shards.sort(java.util.Comparator.comparingLong(CheckpointShard::first));
            LOG.info("spark: {} checkpoint shards written by the executors", shards.size());
        }
        written = null;
        if (lineage >= MAX_LINEAGE) {
            // The shards just written are a reliable copy of the ranges: reading them back cuts the
            // lineage, so a lost executor replays from here, never from the run's start.
            JavaRDD<RangeState> old = state;
            state = fromShards(uri(folder), at, shards, Optional.empty());
            unpersist(old);
            lineage = 0;
            LOG.info("spark: lineage cut at the checkpoint's shards");
        }
        return shards;
    }

    /** The largest |x| of the ensemble, each range's computed where it lives (NaN if any is NaN). */
    @Override
    public double maxAbs() {
        requireWholeEnsemble();
        if (gathered != null) {
            return Health.maxAbs(gathered.data());
        }
        if (knownMaxAbs != null) {
            return knownMaxAbs;
        }
        return state.map(r -> Health.maxAbs(r.data())).collect().stream()
                .reduce(0.0, Math::max); // Math.max keeps a NaN
    }

    /**
     * Range boundaries: range i is rows [bounds[i], bounds[i+1]). Inner boundaries fall on
     * multiples of {@link MergeableEvaluator#CHUNK}, so every chunk of a mergeable evaluation lies
     * in one range and its statistics are the local runner's to the bit.
     */
    private static long[] bounds(int n, int p) {
        long[] b = new long[p + 1];
        for (int i = 0; i < p; i++) {
            b[i] = (long) n * i / p / MergeableEvaluator.CHUNK * MergeableEvaluator.CHUNK;
        }
        b[p] = n;
        return b;
    }

    private static List<RangeState> slices(Particles particles, long[] bounds) {
        int d = particles.dimension();
        List<RangeState> out = new ArrayList<>();
        int n = particles.size();
        Map<String, double[]> rows = n == 0 ? Map.of() : particles.rowStates();
        for (int i = 0; i + 1 < bounds.length; i++) {
            int from = (int) bounds[i];
            int to = (int) bounds[i + 1];
            // Each range carries its particles' rows, split at the same boundaries as their coordinates.
            Map<String, double[]> rangeRows = new TreeMap<>();
            rows.forEach((key, r) -> {
                int width = r.length / n;
                rangeRows.put(key, Arrays.copyOfRange(r, from * width, to * width));
            });
            out.add(new RangeState(particles.firstIndex() + from, to - from, d,
                    Arrays.copyOfRange(particles.data(), from * d, to * d), null, Counts.NONE, rangeRows));
        }
        return out;
    }

    @Override
    public SegmentResult runSegment(long seed, PlannedStage planned, double time, long from, long to, RunControl control) {
        if (state == null) {
            throw new IllegalStateException("no particles loaded");
        }
        SegmentTask.ShardsAfter due = shardsAfter; // for this segment alone
        shardsAfter = null;
        written = null;
        if (planned.stage().wholeEnsemble()) {
            return runWholeEnsemble(seed, planned, time, from, to, control);
        }
        if (control.stopRequested()) {
            return new SegmentResult(from, Counts.NONE);
        }
        JavaRDD<RangeState> next = state
                .mapPartitions(new SegmentTask(pipelineKey, resolvedYaml, pluginFolderName, seed, planned.index(), time, from, to,
                        blockSize, extensionFrom, due), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        String group = "scorepipe-" + (++jobs);
        sc.setJobGroup(group, "stage " + planned.name() + " steps " + from + ".." + (to - 1), true);
        JavaFutureAction<List<RangeState.Summary>> job = next.map(RangeState::summary).collectAsync();
        List<RangeState.Summary> summaries;
        try {
            summaries = await(job, control);
        } catch (ExecutionException e) {
            unpersist(next);
            throw new ScorepipeException("stage '" + planned.name() + "' failed on the cluster during steps " + from + ".." + (to - 1)
                    + ": " + rootMessage(e.getCause()), e.getCause());
        } finally {
            sc.clearJobGroup();
        }
        if (summaries == null) {
            sc.cancelJobGroup(group);
            unpersist(next);
            LOG.info("spark: segment cancelled at a stop request; the ensemble stays at step {}", from);
            return new SegmentResult(from, Counts.NONE);
        }
        Counts counts = Counts.NONE;
        for (RangeState.Summary s : summaries) {
            if (s.error() != null) {
                unpersist(next);
                throw new ScorepipeException(s.error());
            }
            counts = counts.plus(s.counts());
        }
        if (due != null) {
            List<CheckpointShard> shards = new ArrayList<>();
            summaries.forEach(summary -> {
                if (summary.shard() != null) {
                    shards.add(summary.shard());
                }
            });
            shards.sort(java.util.Comparator.comparingLong(CheckpointShard::first));
            written = new Written(due.at(), shards, next);
        }
        // Each range's largest |x| came back with its summary: a checkpoint after this segment needs no job for it.
        knownMaxAbs = summaries.stream().mapToDouble(RangeState.Summary::maxAbs)
                .reduce(0.0, Math::max); // Math.max keeps a NaN
        // The new ranges are computed and cached; the parent is recomputable from its lineage if ever needed.
        unpersist(state);
        state = next;
        lineage++;
        gathered = null;
        for (long k = from; k < to; k++) {
            control.stepDone(n);
        }
        if (extensionFrom > 0) {
            insideStage = planned.name();
            if (to == planned.stage().steps()) {
                spliceFinished(planned.index() + 1);
                insideStage = null;
            }
        }
        return new SegmentResult(to, counts);
    }

    /** The next segment's tasks write the checkpoint due at its end (not in an extension, whose stage ends splice rows). */
    @Override
    public void checkpointAfterSegment(CheckpointFolder folder, CheckpointShards.Position at, java.util.Set<String> rowKeys) {
        shardsAfter = extensionFrom > 0 ? null : new SegmentTask.ShardsAfter(uri(folder), at, Set.copyOf(rowKeys));
    }

    /** Shards the tasks of the segment that made {@code state} wrote of it, for the checkpoint at {@code at}. */
    private record Written(CheckpointShards.Position at, List<CheckpointShard> shards, JavaRDD<RangeState> state) {
    }

    @Override
    public void extendFinished(int finishedParticles, CheckpointFolder folder, java.util.function.IntFunction<Checkpoint> atStageStart) {
        this.extensionFrom = finishedParticles;
        this.finishedUri = uri(folder);
        this.finishedAt = atStageStart;
    }

    /**
     * The first {@link #extensionFrom} particles of each range replaced, on the executors, by the
     * finished run's at the start of stage {@code stage}, read from its checkpoint there (its
     * shards, or its single file, which each range that needs it reads).
     */
    private void spliceFinished(int stage) {
        Checkpoint c = finishedAt.apply(stage);
        long finishedN = extensionFrom;
        String folder = finishedUri;
        int d = dimension;
        CheckpointShards.Position at = CheckpointShards.Position.of(c);
        List<CheckpointShard> shards = c.shards();
        String file = org.scorepipe.runtime.checkpoint.CheckpointStore.fileName(stage, 0);
        JavaRDD<RangeState> spliced = state.map(r -> {
            if (r.error() != null || r.firstIndex() >= finishedN) {
                return r;
            }
            int k = (int) Math.min(r.n(), finishedN - r.firstIndex());
            try {
                HadoopCheckpointFolder source = HadoopCheckpointFolder.onExecutor(folder);
                CheckpointShards.Slice head;
                if (!shards.isEmpty()) {
                    head = CheckpointShards.readRange(source, at, d, shards, r.firstIndex(), k);
                } else {
                    Checkpoint whole;
                    try (java.io.InputStream in = new java.io.BufferedInputStream(source.open(file), 1 << 16)) {
                        whole = org.scorepipe.runtime.checkpoint.CheckpointFormat.read(in, source.locate(file), source.size(file));
                    }
                    int from = (int) r.firstIndex();
                    Map<String, double[]> rows = new TreeMap<>();
                    whole.rows().forEach((key, all) -> {
                        int width = all.length / whole.n();
                        rows.put(key, Arrays.copyOfRange(all, from * width, (from + k) * width));
                    });
                    head = new CheckpointShards.Slice(from, k, d, Arrays.copyOfRange(whole.particles(), from * d, (from + k) * d),
                            rows, 0);
                }
                return r.spliced(k, head.data(), head.rows(), null, r.counts());
            } catch (ScorepipeException | java.io.IOException e) {
                return r.failed("reading the finished run's particles at the start of stage index " + stage + ": "
                        + e.getMessage());
            }
        });
        JavaRDD<RangeState> read = computed(spliced, ScorepipeException::new);
        unpersist(state);
        state = read;
        knownMaxAbs = null;
        lineage++;
        gathered = null;
    }

    /**
     * Particles are loaded, and the ensemble is whole: an extension's is only at stage boundaries,
     * and what needs it inside a stage is refused.
     */
    private void requireWholeEnsemble() {
        if (state == null) {
            throw new IllegalStateException("no particles loaded");
        }
        if (insideStage != null) {
            throw new ScorepipeException("an extension knows the finished run's particles only at stage boundaries, not inside"
                    + " stage '" + insideStage + "': it has no curve points or checkpoints inside a stage, and a stopped"
                    + " extension starts again with `scorepipe extend`");
        }
    }

    /** The job's result, or null if a stop was requested first (the caller cancels it). */
    private static <T> T await(JavaFutureAction<T> job, RunControl control) throws ExecutionException {
        while (true) {
            try {
                return job.get(200, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (control.stopRequested()) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** A stage that moves every particle at once runs on the driver; what it moved becomes the new ranges. */
    private SegmentResult runWholeEnsemble(long seed, PlannedStage planned, double time, long from, long to, RunControl control) {
        Particles all = gather();
        all.setTime(time);
        SegmentResult result = driverRunner.runSegment(seed, planned, all, from, to, control);
        reroot(all);
        return result;
    }

    /**
     * Feeds an observer where it costs least: a mergeable one statistics computed on the
     * executors, one that reads no particles (a dataset writer) an empty ensemble, any other the
     * ensemble gathered on the driver.
     */
    @Override
    public void observe(ObserverPoint point, Observer observer, Observation at) {
        requireWholeEnsemble();
        java.util.OptionalInt cap = observer.subsample();
        if (observer instanceof MergeableObserver mergeable && mergeable.mergeable() && gathered == null) {
            observeMerged(point, mergeable, at);
        } else if (cap.isPresent() && cap.getAsInt() < n && gathered == null) {
            observer.observe(gatherSubsample(cap.getAsInt(), at.time()), at);
        } else if (!observer.readsParticles()) {
            observer.observe(new Particles(0, dimension, firstIndex, new double[0], at.time()), at);
        } else {
            Particles all = gather();
            all.setTime(at.time());
            observer.observe(all, at);
        }
    }

    /**
     * Chunk statistics computed on the executors, summed here chunk by chunk in particle order
     * (as the local runner's evaluators sum them), and the observation finished on the driver.
     */
    private void observeMerged(ObserverPoint point, MergeableObserver observer, Observation at) {
        String group = "scorepipe-" + (++jobs);
        sc.setJobGroup(group, at.name() + ": statistics per range", true);
        List<PartialTask.Chunks> ranges;
        try {
            ranges = state.map(new PartialTask(pipelineKey, resolvedYaml, pluginFolderName, point, at.time())).collect();
        } finally {
            sc.clearJobGroup();
        }
        double[] sum = null;
        for (PartialTask.Chunks range : ranges) {
            if (range.error() != null) {
                throw new ScorepipeException("stage '" + at.name() + "': " + range.error());
            }
            for (double[] chunk : range.statistics()) {
                if (sum == null) {
                    sum = chunk.clone();
                } else {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += chunk[i];
                    }
                }
            }
        }
        if (sum == null) {
            throw new ScorepipeException("stage '" + at.name() + "' needs at least one particle");
        }
        java.util.OptionalInt besides = observer.subsampleBesides();
        if (besides.isEmpty()) {
            observer.finish(sum, n, dimension, at);
            LOG.info("spark: stage {} evaluated from per-range statistics; no particle left the executors", at.name());
            return;
        }
        // The evaluators that do not merge read the subsample alone: it is all that travels (or the
        // ensemble, when it is no larger than the subsample would be).
        Particles subsample = besides.getAsInt() < n ? gatherSubsample(besides.getAsInt(), at.time()) : gather();
        subsample.setTime(at.time());
        observer.finish(sum, n, dimension, subsample, at);
        LOG.info("spark: stage {} evaluated from per-range statistics and a subsample of {} particles", at.name(), subsample.size());
    }

    /**
     * The ensemble on the driver, fetched one partition at a time in particle order; kept until
     * the next segment changes it, so a curve point and a checkpoint at one step fetch it once.
     */
    /**
     * The evenly spaced subsample of {@code m < n} particles, rows {@code floor(i n / m)} in
     * order ({@link Observer#subsample}): the executors send those rows alone, so the driver holds
     * {@code m} particles, not the ensemble.
     */
    private Particles gatherSubsample(int m, double time) {
        int total = n;
        long first = firstIndex;
        int d = dimension;
        List<double[]> picked = state.flatMap(r -> {
            List<double[]> out = new ArrayList<>();
            for (int row = 0; row < r.n(); row++) {
                long k = r.firstIndex() - first + row;
                // the one i with floor(i n / m) = k, if any: i = ceil(k m / n)
                long i = (k * m + total - 1) / total;
                if (i < m && i * total / m == k) {
                    double[] withIndex = new double[d + 1];
                    withIndex[0] = i;
                    System.arraycopy(r.data(), row * d, withIndex, 1, d);
                    out.add(withIndex);
                }
            }
            return out.iterator();
        }).collect();
        if (picked.size() != m) {
            throw new IllegalStateException("the subsample of " + m + " particles came back with " + picked.size());
        }
        double[] x = new double[Math.multiplyExact(m, d)];
        for (double[] row : picked) {
            System.arraycopy(row, 1, x, (int) row[0] * d, d);
        }
        LOG.info("spark: gathered the evenly spaced subsample of {} of {} particles", m, total);
        return new Particles(m, d, 0, x, time);
    }

    @Override
    public Particles gather() {
        requireWholeEnsemble();
        if (gathered != null) {
            return gathered;
        }
        long ensemble = (long) n * dimension * Double.BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (ensemble > heap / 2) {
            throw new ScorepipeException("the pipeline needs its " + n + " particles (" + (ensemble >> 20) + " MiB) on the driver,"
                    + " whose heap of " + (heap >> 20) + " MiB cannot hold them with room to spare: something gathers the"
                    + " ensemble (a stage that moves every particle at once, an observer that reads every particle such as"
                    + " save with format npy or an evaluator that neither merges nor subsamples, or checkpoint.layout: file)."
                    + " Give the driver more memory (--driver-memory, or SCOREPIPE_JAVA_OPTS=-Xmx...), or keep the particles on"
                    + " the executors: save with format parquet or npy-shards, evaluators that merge or subsample");
        }
        double[] x = new double[Math.multiplyExact(n, dimension)];
        Map<String, double[]> rows = new TreeMap<>();
        int p = state.getNumPartitions();
        long[] bounds = bounds(n, partitions(n));
        long expected = firstIndex;
        // One job per batch of consecutive partitions of at most GATHER_BATCH_BYTES: the driver
        // never holds more than the ensemble plus one batch, and small ranges cost few jobs.
        for (int first = 0; first < p; ) {
            int last = first;
            long bytes = (bounds[first + 1] - bounds[first]) * dimension * 8L;
            while (last + 1 < p && bytes + (bounds[last + 2] - bounds[last + 1]) * dimension * 8L <= GATHER_BATCH_BYTES) {
                last++;
                bytes += (bounds[last + 1] - bounds[last]) * dimension * 8L;
            }
            int[] ids = new int[last - first + 1];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = first + i;
            }
            for (List<RangeState> part : state.collectPartitions(ids)) {
                for (RangeState r : part) {
                    if (r.firstIndex() != expected) {
                        throw new IllegalStateException("range at " + r.firstIndex() + " came back where " + expected + " was expected");
                    }
                    System.arraycopy(r.data(), 0, x, (int) ((r.firstIndex() - firstIndex) * dimension), r.data().length);
                    Map<String, double[]> carried = r.n() == 0 ? Map.of() : r.rows();
                    carried.forEach((key, own) -> {
                        int width = own.length / r.n();
                        double[] all = rows.computeIfAbsent(key, k -> {
                            // A range that has not run the component yet remembers nothing: NaN, as a fresh row.
                            double[] fresh = new double[Math.multiplyExact(n, width)];
                            Arrays.fill(fresh, Double.NaN);
                            return fresh;
                        });
                        if (all.length != (long) n * width) {
                            throw new IllegalStateException(key + ": the range at " + r.firstIndex() + " carries " + width
                                    + " doubles per particle, another " + all.length / n);
                        }
                        System.arraycopy(own, 0, all, (int) ((r.firstIndex() - firstIndex) * width), own.length);
                    });
                    expected += r.n();
                }
            }
            first = last + 1;
        }
        if (expected != firstIndex + n) {
            throw new IllegalStateException("gathered particles up to " + expected + ", expected " + (firstIndex + n));
        }
        gathered = new Particles(n, dimension, firstIndex, x, 0.0);
        rows.forEach(gathered::putRowState);
        if (lineage >= MAX_LINEAGE) {
            reroot(gathered);
        }
        return gathered;
    }

    /** Makes {@code particles} (on the driver) the ranges, with no lineage behind them. */
    private void reroot(Particles particles) {
        JavaRDD<RangeState> old = state;
        int p = partitions(n);
        state = sc.parallelize(slices(particles, bounds(n, p)), p).persist(StorageLevel.MEMORY_AND_DISK());
        knownMaxAbs = null;
        unpersist(old);
        lineage = 0;
        gathered = particles;
    }

    @Override
    public String writeDataset(String stage, String name, String format, Path runDirectory) {
        requireWholeEnsemble();
        if (format.equals("npy-shards")) {
            return writeNpyShards(stage, name, runDirectory);
        }
        if (!format.equals("parquet")) {
            throw new ScorepipeException("stage '" + stage + "': the Spark runner writes parquet datasets, not " + format);
        }
        String target = name.contains("://") || name.startsWith("file:") ? name : runDirectory.resolve(name).toAbsolutePath().toUri().toString();
        StructType schema = ParquetDatasets.SCHEMA;
        // Row by row as Parquet takes them: an executor never holds its range twice over as rows.
        JavaRDD<Row> rows = state.flatMap(r -> java.util.stream.IntStream.range(0, r.n()).mapToObj(i -> RowFactory.create(
                r.firstIndex() + i, Arrays.copyOfRange(r.data(), i * r.dimension(), (i + 1) * r.dimension()))).iterator());
        try {
            spark.createDataFrame(rows, schema).write().mode(SaveMode.ErrorIfExists).parquet(target);
        } catch (RuntimeException e) {
            throw new ScorepipeException("stage '" + stage + "' could not write the parquet dataset " + target + ": " + rootMessage(e), e);
        }
        return target;
    }

    /**
     * Writes the ensemble as {@code .npy} shards from the executors, one per range, into the run
     * directory (which the executors must reach: a shared file system), with the index written
     * here last ({@link NpyShards}). No particle passes through the driver.
     */
    private String writeNpyShards(String stage, String name, Path runDirectory) {
        String folder = runDirectory.toAbsolutePath().toUri().toString();
        String temporary = folder + "." + NpyShards.stem(name) + "-shards.tmp-" + java.util.UUID.randomUUID() + "/";
        org.apache.hadoop.fs.Path temporaryPath = new org.apache.hadoop.fs.Path(temporary);
        org.apache.hadoop.fs.Path index = new org.apache.hadoop.fs.Path(folder, NpyShards.indexName(name));
        try {
            org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.get(java.net.URI.create(folder), sc.hadoopConfiguration());
            try {
                List<NpyShards.Shard> written = new ArrayList<>(state.mapPartitions(new NpyShardTask(temporary)).collect());
                written.sort(java.util.Comparator.comparingLong(NpyShards.Shard::first));
                fs.delete(index, false);
                List<NpyShards.Shard> shards = new ArrayList<>();
                for (NpyShards.Shard w : written) {
                    String finalName = NpyShards.shardName(name, shards.size());
                    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(folder, finalName);
                    fs.delete(target, false);
                    if (!fs.rename(new org.apache.hadoop.fs.Path(temporary, w.file()), target)) {
                        throw new java.io.IOException("could not rename the shard " + w.file() + " to " + target);
                    }
                    shards.add(new NpyShards.Shard(finalName, w.first() - firstIndex, w.rows(), w.bytes(), w.sha256()));
                }
                List<String> names = shards.stream().map(NpyShards.Shard::file).toList();
                for (org.apache.hadoop.fs.FileStatus f : fs.listStatus(new org.apache.hadoop.fs.Path(folder))) {
                    String other = f.getPath().getName();
                    if (NpyShards.isShard(name, other) && !names.contains(other)) {
                        fs.delete(f.getPath(), false);
                    }
                }
                org.apache.hadoop.fs.Path indexTemporary = new org.apache.hadoop.fs.Path(temporary, NpyShards.indexName(name));
                try (var out = fs.create(indexTemporary, true)) {
                    out.write(NpyShards.index(n, dimension, shards).getBytes(StandardCharsets.UTF_8));
                }
                if (!fs.rename(indexTemporary, index)) {
                    throw new java.io.IOException("could not rename the index to " + index);
                }
                LOG.info("spark: wrote {} npy shards from the executors", shards.size());
                return index.toString();
            } finally {
                fs.delete(temporaryPath, true);
            }
        } catch (java.io.IOException | RuntimeException e) {
            throw new ScorepipeException("stage '" + stage + "' could not write the npy shards of " + name + " in " + folder + ": "
                    + rootMessage(e) + " (the index " + NpyShards.indexName(name) + " was not written: check that the executors"
                    + " reach the run directory, a shared file system, and run again)", e);
        }
    }

    private static void unpersist(JavaRDD<?> rdd) {
        if (rdd != null) {
            rdd.unpersist(false);
        }
    }

    @Override
    public void close() {
        driverRunner.close();
        unpersist(state);
        state = null;
        knownMaxAbs = null;
        if (ownsSession) {
            try {
                spark.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping Spark: {}", e.getMessage());
            }
        }
    }

    /** The innermost message of a Spark failure, which names the task's real error. */
    static String rootMessage(Throwable e) {
        Throwable t = e;
        String message = null;
        while (t != null) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
            t = t.getCause();
        }
        String text = message == null ? e.getClass().getSimpleName() : message;
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
