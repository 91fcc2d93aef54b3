package org.scorepipe.core.observers;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Observation;
import org.scorepipe.api.Observer;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;

/**
 * Writes the whole ensemble to a NumPy {@code .npy} file (float64, shape {@code [n, d]}) in the run
 * directory.
 *
 * <p>With {@code format: npy-shards} it writes the same rows as {@code .npy} shards with an index
 * ({@code samples-00000.npy, ...}, {@code samples-index.json}) through {@link RunOutputs#saveDataset}:
 * the Spark runner writes a shard from each range of particles where it lives, so the ensemble is
 * never gathered; their rows, concatenated in the index's order, are the {@code samples.npy} of
 * {@code format: npy}.
 *
 * <p>With {@code format: parquet} it writes a Parquet dataset instead, one row per particle (its
 * {@code index} and its coordinates {@code x}), through {@link RunOutputs#saveDataset}: the Spark
 * runner writes it from its executors, so an ensemble too large for one machine is never
 * gathered ({@link #readsParticles()} is then false). The dataset is a folder in the run
 * directory ({@code samples.parquet} unless {@code file} names one ending in {@code .parquet}),
 * or any URI the runner's file systems reach.
 */
@Component(kind = ComponentKind.OBSERVER, name = "save",
        doc = "Writes the particles to a .npy file in the run directory, or (format: parquet, Spark runner) to a Parquet dataset.")
public final class SaveObserver implements Observer {

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("file name in the run directory, ending in .npy, without folders (with format: parquet, a folder name ending"
                    + " in .parquet, or a URI such as hdfs://nn/out/samples.parquet; the default then is samples.parquet)")
            @Default("samples.npy") String file,
            @Doc("npy (one NumPy file), npy-shards (NumPy files of consecutive particles and an index, written where the"
                    + " particles live) or parquet (a Parquet dataset of index and coordinates, written by the Spark runner)")
            @Default("npy") Format format,
            @Doc("write particles with NaN or infinite coordinates too; by default they stop the run and nothing is written")
            @Default("false") boolean allowNonFinite) {
        public Params {
            if (file == null || file.isEmpty()) {
                throw new IllegalArgumentException("file must name a .npy file, e.g. samples.npy");
            }
            if (format == Format.PARQUET) {
                if (file.equals("samples.npy")) {
                    file = "samples.parquet";
                }
                boolean uri = file.matches("[A-Za-z][A-Za-z0-9+.-]+:.*");
                if (!file.endsWith(".parquet") || (!uri && (file.indexOf('/') >= 0 || file.indexOf('\\') >= 0))) {
                    throw new IllegalArgumentException("with format: parquet, file must be a folder name in the run directory"
                            + " ending in .parquet (e.g. samples.parquet) or a URI ending in .parquet, got " + file);
                }
            } else {
                requireNpyName(file);
            }
        }

        /** A .npy file. */
        public Params(String file) {
            this(file, Format.NPY, false);
        }

        private static void requireNpyName(String file) {
            if (file.indexOf('/') >= 0 || file.indexOf('\\') >= 0) {
                throw new IllegalArgumentException("file must be a plain file name in the run directory,"
                        + " without folders, got " + file);
            }
            if (!file.endsWith(".npy") || file.length() == ".npy".length()) {
                throw new IllegalArgumentException("file must be a NumPy file name ending in .npy, e.g. samples.npy, got "
                        + file);
            }
        }
    }

    /** How the samples are written. */
    public enum Format {
        /** One NumPy {@code .npy} file, float64 {@code [n, d]}. */
        NPY,
        /** NumPy files of consecutive particles, {@code samples-00000.npy, ...}, and their index {@code samples-index.json}. */
        NPY_SHARDS,
        /** A Parquet dataset, one row per particle: {@code index}, {@code x}. */
        PARQUET
    }

    private final Params params;

    @Inject
    public SaveObserver(Params params) {
        this.params = requireNonNull(params, "params is null");
    }

    @Override
    public boolean readsParticles() {
        return params.format() == Format.NPY;
    }

    @Override
    public Optional<String> datasetFormat() {
        return switch (params.format()) {
            case NPY -> Optional.empty();
            case NPY_SHARDS -> Optional.of("npy-shards");
            case PARQUET -> Optional.of("parquet");
        };
    }

    @Override
    public void observe(Particles particles, Observation at) {
        Optional<String> dataset = datasetFormat();
        if (dataset.isPresent()) {
            at.outputs().saveDataset(at.name(), params.file(), dataset.get());
        } else {
            if (!params.allowNonFinite()) {
                requireFinite(particles, at);
            }
            at.outputs().saveSamples(at.name(), params.file(), particles);
        }
    }

    /** Refuses, before anything is written, particles that are not finite. */
    private void requireFinite(Particles particles, Observation at) {
        double[] x = particles.data();
        int d = particles.dimension();
        int bad = 0;
        int first = -1;
        for (int i = 0; i < x.length; i += d) {
            for (int j = i; j < i + d; j++) {
                if (!Double.isFinite(x[j])) {
                    bad++;
                    first = first < 0 ? i / d : first;
                    break;
                }
            }
        }
        if (bad > 0) {
            throw new IllegalStateException(bad + " of " + particles.size() + " particles are not finite (the first is particle "
                    + (particles.firstIndex() + first) + "), so " + params.file() + " was not written. An earlier stage"
                    + " diverged: use a smaller step, or set stages." + at.name() + ".allow-non-finite=true to write them anyway");
        }
    }
}
