package org.scorepipe.runtime.checkpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.assembly.Pipeline.Entry;
import org.scorepipe.runtime.config.ConfigSection;
import org.scorepipe.runtime.config.ConfigTrees;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * Whether a pipeline may continue from a checkpoint: the same noise generator, seed, number of
 * particles and dimension, and every stage the checkpoint has finished unchanged (its config and
 * the shared components it uses hash the same). The stage in progress and later ones may change:
 * that is how a corrector at T1 is tuned, or another reverse sampler branched from one state.
 */
public final class Compatibility {
    private Compatibility() {
    }

    /** Throws a {@link ScorepipeException} naming the stage and key that differ, if any. */
    public static void check(Checkpoint c, String checkpointName, Pipeline pipeline, PipelineFile file) {
        check(c, checkpointName, pipeline, file, true);
    }

    /**
     * As {@link #check}, for a pipeline that grows the checkpoint's run to more particles
     * ({@code scorepipe extend}): everything but the number of particles must agree.
     */
    public static void checkGrown(Checkpoint c, String checkpointName, Pipeline pipeline, PipelineFile file) {
        check(c, checkpointName, pipeline, file, false);
    }

    private static void check(Checkpoint c, String checkpointName, Pipeline pipeline, PipelineFile file, boolean sameParticles) {
        if (!PhiloxNoise.GENERATOR.equals(c.noiseGenerator())) {
            throw new ScorepipeException(checkpointName + " was written with the noise generator " + c.noiseGenerator()
                    + ", but this scorepipe uses " + PhiloxNoise.GENERATOR + ": an exact resume is impossible"
                    + (c.noiseGenerator().endsWith("/v1") ? " (v1 keyed a stage's noise by its position, counting evaluate"
                            + " and save stages; later versions count only the stages that move particles)" : "")
                    + (c.noiseGenerator().endsWith("/v2") ? " (v2 drew every word from Philox4x64; v3 draws a particle's words"
                            + " at a step from xoshiro256++ keyed by one Philox4x64 block)" : "") + "."
                    + " Start the run again, or branch from it knowing the samples will differ.");
        }
        PipelineSpec spec = pipeline.spec();
        requireSame("pipeline.seed", c.seed(), spec.seed(), checkpointName, file);
        if (sameParticles) {
            requireSame("pipeline.particles", c.n(), spec.particles(), checkpointName, file);
        }
        requireSame("pipeline.dimension", c.dimension(), spec.dimension(), checkpointName, file);
        List<Entry> stages = pipeline.entries();
        int finished = Math.min(c.stage(), c.stageNames().size());
        if (finished > stages.size()) {
            throw new ScorepipeException(file.name() + " has " + stages.size() + " stages, but " + checkpointName
                    + " has already finished " + finished + " (" + String.join(", ", c.stageNames().subList(0, finished))
                    + "); keep those stages unchanged");
        }
        if (c.stage() < stages.size() && c.step() > stages.get(c.stage()).steps()) {
            Entry inProgress = stages.get(c.stage());
            throw new ScorepipeException(checkpointName + " is at step " + c.step() + " of stage '" + inProgress.name()
                    + "', which has only " + inProgress.steps() + " steps in " + file.name() + "; give the stage at least "
                    + c.step() + " steps, or continue from an earlier checkpoint");
        }
        for (int i = 0; i < finished; i++) {
            Entry stage = stages.get(i);
            String oldName = c.stageNames().get(i);
            if (!stage.name().equals(oldName)) {
                throw new ScorepipeException("stage " + (i + 1) + " is '" + oldName + "' in " + checkpointName
                        + ", which has finished it, but '" + stage.name() + "' in " + file.name()
                        + "; finished stages cannot be renamed, removed or reordered");
            }
            if (!stage.configHash().equals(c.stageHashes().get(i))) {
                List<String> diff = differences(c, i, stage, file);
                throw new ScorepipeException("stage '" + stage.name() + "' is finished in " + checkpointName
                        + " but " + file.name() + " changes it" + (diff.isEmpty() ? "" : ": " + String.join("; ", diff))
                        + ". Only the stage in progress and later ones may change; keep '" + stage.name()
                        + "' as it was, or start a new run.");
            }
        }
    }

    private static void requireSame(String key, long before, long after, String checkpointName, PipelineFile file) {
        if (before != after) {
            throw new ScorepipeException(file.name() + ": " + key + " is " + after + " but " + checkpointName + " was written with "
                    + before + "; it must stay the same to continue from the checkpoint");
        }
    }

    /** The key paths of stage {@code i} and of the shared components it uses that differ. */
    static List<String> differences(Checkpoint c, int i, Entry stage, PipelineFile file) {
        ConfigSection before = PipelineFile.parse("checkpoint", c.config(), List.of()).root();
        ConfigSection after = file.root();
        List<String> out = new ArrayList<>();
        String path = "stages." + stage.name();
        out.addAll(ConfigTrees.diff(path, stageNode(before, i), stageNode(after, i)));
        for (String shared : stage.sharedUsed()) {
            out.addAll(ConfigTrees.diff("components." + shared, sharedNode(before, shared).orElse(null),
                    sharedNode(after, shared).orElse(null)));
        }
        return out;
    }

    private static ImmutableNode stageNode(ConfigSection root, int i) {
        List<ConfigSection> items = root.items("stages");
        return i < items.size() ? items.get(i).tree() : null;
    }

    private static Optional<ImmutableNode> sharedNode(ConfigSection root, String name) {
        return root.section("components").flatMap(c -> c.section(name)).map(ConfigSection::tree);
    }

}
