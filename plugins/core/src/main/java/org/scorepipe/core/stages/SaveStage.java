package org.scorepipe.core.stages;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.api.Stage;
import org.scorepipe.api.StageSpec;

/**
 * Writes the whole ensemble to a NumPy {@code .npy} file (float64, shape {@code [n, d]}) in the run
 * directory, in one step. Moves no particle.
 */
@Component(kind = ComponentKind.STAGE, name = "save",
        doc = "Writes the particles to a .npy file in the run directory.")
public final class SaveStage implements Stage {

    /** Parameters, bound from the stage's config section. */
    public record Params(
            @Doc("file name in the run directory, ending in .npy, without folders")
            @Default("samples.npy") String file) {
        public Params {
            if (file == null || file.isEmpty()) {
                throw new IllegalArgumentException("file must name a .npy file, e.g. samples.npy");
            }
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

    private final Params params;
    private final StageSpec stage;
    private final RunOutputs outputs;

    @Inject
    public SaveStage(Params params, StageSpec stage, RunOutputs outputs) {
        this.params = requireNonNull(params, "params is null");
        this.stage = requireNonNull(stage, "stage is null");
        this.outputs = requireNonNull(outputs, "outputs is null");
    }

    @Override
    public long steps() {
        return 1;
    }

    @Override
    public boolean wholeEnsemble() {
        return true;
    }

    @Override
    public void step(long k, Block block, Noise noise) {
        if (k != 0) {
            throw new IllegalArgumentException("the save stage has one step, got step " + k);
        }
        outputs.saveSamples(stage.name(), params.file(), block.particles());
    }
}
