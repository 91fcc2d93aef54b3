package org.scorepipe.runtime.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.runtime.ScorepipeException;

/**
 * A run's directory: {@code config.yaml} (the resolved pipeline), {@code run.log},
 * {@code samples.npy} and {@code metrics.json}. Every file is written atomically, so a crash or
 * an error never leaves a partial file under a real name.
 *
 * <p>The directory is created by {@link #open}, after the pipeline has been validated, so a
 * mistake in the config leaves nothing behind. From then on this process owns it ({@link RunLock})
 * until {@link #close}.
 */
public final class RunDirectory implements RunOutputs, AutoCloseable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
            .setObjectToNumberStrategy(com.google.gson.ToNumberPolicy.LONG_OR_DOUBLE).create();

    private final Path path;
    private final List<Map<String, Object>> evaluations = new ArrayList<>();
    private final List<Map<String, Object>> stages = new ArrayList<>();
    private final List<Map<String, Object>> curves = new ArrayList<>();
    private PipelineSpec spec;
    private RunLock lock;

    private RunDirectory(Path path) {
        this.path = path;
    }

    private static final java.security.SecureRandom IDS = new java.security.SecureRandom();

    /**
     * A new run's identity, {@code <UTC time>-<8 hex digits>}: unique across processes and
     * machines without any coordination, readable in a folder listing.
     */
    public static String newRunId() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + "-" + String.format("%08x", IDS.nextInt());
    }

    /** {@code runsRoot/<name>-<UTC time>}, with a suffix if that exists already. */
    public static RunDirectory fresh(Path runsRoot, String pipelineName) {
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
        Path candidate = runsRoot.resolve(pipelineName + "-" + stamp);
        for (int i = 2; Files.exists(candidate); i++) {
            candidate = runsRoot.resolve(pipelineName + "-" + stamp + "-" + i);
        }
        return new RunDirectory(candidate);
    }

    /** Exactly {@code dir}, which must not exist or be empty (checked again, under the lock, by {@link #open}). */
    public static RunDirectory at(Path dir) {
        requireEmpty(dir);
        return new RunDirectory(dir);
    }

    private static void requireEmpty(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    if (entries.anyMatch(p -> !RunLock.isLockFile(p))) {
                        throw new ScorepipeException("--out " + dir + " already holds files; choose an empty or new"
                                + " directory (nothing was overwritten)");
                    }
                }
            } else if (Files.exists(dir)) {
                throw new ScorepipeException("--out " + dir + " is a file, not a directory");
            }
        } catch (IOException e) {
            throw new ScorepipeException("--out " + dir + ": cannot read it: " + e.getMessage());
        }
    }

    /**
     * An existing run directory, to continue in: locked for {@code command} at once, and cleared
     * of the temporary files a killed process left.
     */
    public static RunDirectory existing(Path dir, String command) {
        if (!Files.isRegularFile(dir.resolve("config.yaml"))) {
            throw new ScorepipeException(dir + " is not a run directory (it has no config.yaml); give the directory"
                    + " a `scorepipe run` created");
        }
        RunDirectory run = new RunDirectory(dir);
        run.lock = RunLock.acquire(dir, command);
        AtomicFiles.removeStale(dir);
        return run;
    }

    /** Releases the directory for other processes. */
    @Override
    public void close() {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /** The pipeline the metrics document names (a resumed run's, read back from its checkpoint). */
    public synchronized void describe(PipelineSpec spec) {
        this.spec = spec;
    }

    public Path path() {
        return path;
    }

    /** Replaces {@code config.yaml} (a resume with a changed pipeline). */
    public void writeConfig(PipelineSpec spec, String resolvedYaml) {
        this.spec = spec;
        try {
            AtomicFiles.writeString(path.resolve("config.yaml"), resolvedYaml);
        } catch (IOException e) {
            throw new ScorepipeException("cannot write " + path.resolve("config.yaml") + ": " + e.getMessage());
        }
    }

    /** The metrics document so far, as JSON: what a checkpoint carries. */
    public synchronized String metricsJson() {
        return GSON.toJson(document());
    }

    /** Goes back to the metrics a checkpoint carried, dropping anything recorded after it. */
    @SuppressWarnings("unchecked")
    public synchronized void restoreMetrics(String json) {
        Map<String, Object> doc = GSON.fromJson(json, Map.class);
        stages.clear();
        evaluations.clear();
        curves.clear();
        if (doc == null) {
            return;
        }
        for (Object o : (List<Object>) doc.getOrDefault("stages", List.of())) {
            stages.add((Map<String, Object>) o);
        }
        for (Object o : (List<Object>) doc.getOrDefault("evaluations", List.of())) {
            evaluations.add((Map<String, Object>) o);
        }
        for (Object o : (List<Object>) doc.getOrDefault("curves", List.of())) {
            curves.add((Map<String, Object>) o);
        }
    }

    /** Records one point of a stage's convergence curve ({@code every: N}). */
    public synchronized void recordCurve(String stage, long step, double time, Metrics metrics) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("stage", stage);
        entry.put("step", step);
        entry.put("t", time);
        entry.put("metrics", metrics.values());
        curves.add(entry);
        writeMetrics();
    }

    /**
     * Creates the directory, takes its lock for {@code command} and writes the resolved config. An
     * existing directory must still be empty once locked: two processes given one {@code --out}
     * cannot both start in it.
     */
    public void open(PipelineSpec spec, String resolvedYaml, String command) {
        this.spec = spec;
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new ScorepipeException("cannot create the run directory " + path + ": " + e.getMessage()
                    + "; choose another place with --out");
        }
        lock = RunLock.acquire(path, command);
        try {
            requireEmpty(path);
            AtomicFiles.writeString(path.resolve("config.yaml"), resolvedYaml);
        } catch (IOException | RuntimeException e) {
            close();
            if (e instanceof ScorepipeException s) {
                throw s;
            }
            throw new ScorepipeException("cannot write " + path.resolve("config.yaml") + ": " + e.getMessage()
                    + "; choose another place with --out");
        }
    }

    @Override
    public synchronized void recordMetrics(String stage, double time, Metrics metrics) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("stage", stage);
        entry.put("t", time);
        entry.put("metrics", metrics.values());
        evaluations.add(entry);
        writeMetrics();
    }

    /**
     * Records a finished stage in {@code metrics.json}: its {@code steps}, and the timing of the
     * {@code stepsRun} of them this process ran (fewer than {@code steps} in a resumed stage):
     * its seconds in all, the part of them spent on its curve points ({@code every:}), and its
     * particle-steps per second without them.
     */
    public synchronized void recordStage(String name, String type, long steps, long stepsRun, int particles, Duration elapsed,
            Duration evaluations) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("type", type);
        entry.put("steps", steps);
        entry.put("seconds", elapsed.toNanos() / 1e9);
        if (!evaluations.isZero()) {
            entry.put("evaluation-seconds", evaluations.toNanos() / 1e9);
        }
        entry.put("particle-steps-per-second", throughput(stepsRun, particles, elapsed.minus(evaluations)));
        stages.add(entry);
        writeMetrics();
    }

    /** Particle-steps per second; NaN when nothing measurable ran. */
    public static double throughput(long steps, int particles, Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? steps * (double) particles / seconds : Double.NaN;
    }

    @Override
    public void saveSamples(String stage, String fileName, Particles particles) {
        Path target = path.resolve(fileName);
        try {
            AtomicFiles.write(target, tmp -> NpyFile.write(tmp, particles));
        } catch (IOException e) {
            throw new ScorepipeException("stage '" + stage + "' could not write " + target + ": " + e.getMessage()
                    + " (no partial file was left; free space or choose another --out)");
        }
    }

    private void writeMetrics() {
        try {
            AtomicFiles.writeString(path.resolve("metrics.json"), GSON.toJson(document()) + "\n");
        } catch (IOException e) {
            throw new ScorepipeException("could not write " + path.resolve("metrics.json") + ": " + e.getMessage());
        }
    }

    private Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        if (spec != null) {
            doc.put("pipeline", spec.name());
            doc.put("seed", spec.seed());
            doc.put("particles", spec.particles());
            doc.put("dimension", spec.dimension());
        }
        doc.put("stages", stages);
        doc.put("evaluations", evaluations);
        doc.put("curves", curves);
        return doc;
    }
}
