package org.scorepipe.runtime.assembly;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.FilePath;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.config.PipelineFile;

/** The parameter records of the pipeline file's own sections. */
public final class PipelineSections {
    private PipelineSections() {
    }

    /** Every key of these sections, by its full path: {@code pipeline.seed}, {@code runner.block-size}, ... */
    public static List<String> keys() {
        List<String> keys = new ArrayList<>();
        Map.of("pipeline", PipelineSection.class, "runner", RunnerSection.class, "checkpoint", CheckpointSection.class)
                .forEach((section, type) -> ParameterBinder.describe(type).forEach(p -> keys.add(section + "." + p.key())));
        return keys.stream().sorted().toList();
    }

    /**
     * The {@code checkpoint.dir} of a pipeline file, a relative folder resolved as every file path
     * is ({@link FilePath}); empty for {@code checkpoints/} in the run directory.
     */
    public static String checkpointDir(PipelineFile file) {
        String dir = ParameterBinder.bind(CheckpointSection.class, file.root().sectionOrEmpty("checkpoint"), List.of()).dir();
        return dir == null ? "" : dir;
    }

    /** The runner a pipeline file names ({@code runner.type}, {@code local} by default), bound as the whole section is. */
    public static String runnerType(PipelineFile file) {
        return ParameterBinder.bind(RunnerSection.class, file.root().sectionOrEmpty("runner"), List.of()).type();
    }

    /** The run id a run directory's config records ({@code run.id}), or empty for a pipeline file that is no run's. */
    public static String runId(PipelineFile file) {
        return ParameterBinder.bind(RunSection.class, file.root().sectionOrEmpty("run"), List.of()).id();
    }

    /** {@code pipeline:} */
    record PipelineSection(
            @Doc("name of the pipeline, used for the run directory") String name,
            @Doc("seed of all noise: the same seed gives the same bytes") long seed,
            @Doc("number of particles") int particles,
            @Doc("dimension of the particles") int dimension) {
        PipelineSection {
            if (name.isBlank() || !name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("name '" + name
                        + "' must be non-empty and use only letters, digits, '.', '_' and '-' (it names the run directory)");
            }
            if (particles < 1) {
                throw new IllegalArgumentException("particles must be >= 1, got " + particles);
            }
            if (dimension < 1) {
                throw new IllegalArgumentException("dimension must be >= 1, got " + dimension);
            }
            // The ensemble is one row-major double[] (Particles); a Java array has at most 2^31 - 9 elements.
            if ((long) particles * dimension > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("particles * dimension = " + particles + " * " + dimension + " = "
                        + (long) particles * dimension + " coordinates do not fit one array (at most " + (Integer.MAX_VALUE - 8)
                        + "); use at most " + (Integer.MAX_VALUE - 8) / dimension + " particles");
            }
        }
    }

    /** {@code run:}, which scorepipe writes into a run's {@code config.yaml}; {@code scorepipe run} replaces it. */
    record RunSection(
            @Doc("the run's identity, written by scorepipe: checkpoints of other runs are refused") @Default("") String id,
            @Doc("the noise generator and its version the run samples with, written by scorepipe") @Default("") String noise) {
        RunSection {
            id = id == null ? "" : id; // an empty @Default binds as null
            noise = noise == null ? "" : noise;
            if (!id.matches("[A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("id '" + id + "' must use only letters, digits, '.', '_' and '-'");
            }
        }
    }

    /** {@code runner:} */
    record RunnerSection(
            @Doc("where blocks run: local (this JVM's threads) or another installed runner, e.g. spark") @Default("local") String type,
            @Doc("worker threads; 0 uses every available core") @Default("0") int threads,
            @Doc("particles per block, the unit of parallel work; results do not depend on it")
            @Default("1024") int blockSize,
            @Doc("particle ranges for a distributed runner; 0 lets the runner choose; results do not depend on it")
            @Default("0") int partitions,
            @Doc("the cluster a distributed runner connects to, e.g. local[4] or spark://host:7077") @Default("") String master) {
    }

    /** {@code checkpoint:} */
    record CheckpointSection(
            @Doc("steps between checkpoints within a stage; 0 keeps only those at stage ends") @Default("1000") long every,
            @Doc("how many checkpoints within stages to keep, newest first, besides the one at each stage boundary (always"
                    + " kept); 0 turns checkpoints off") @Default("3") int keep,
            @Doc("where checkpoints go: empty for checkpoints/ in the run directory, else a folder (relative: to the pipeline"
                    + " file's folder; from --checkpoint-dir or --set: to the working directory) or (Spark runner) a Hadoop"
                    + " file system URI such as hdfs://nn/ckpt, holding one sub-folder per run") @Default("") @FilePath String dir,
            @Doc("auto, file or shards: one file per checkpoint, or shard files written where the particles live and a small"
                    + " manifest written last that commits them (auto: shards on the Spark runner, one file on the local one);"
                    + " every runner reads both") @Default("auto") Pipeline.CheckpointSettings.Layout layout) {
        CheckpointSection {
            if (every < 0) {
                throw new IllegalArgumentException("every must be >= 0 (0: only at the end of each stage), got " + every);
            }
            if (keep < 0) {
                throw new IllegalArgumentException("keep must be >= 0 (0: no checkpoints), got " + keep);
            }
        }
    }
}
