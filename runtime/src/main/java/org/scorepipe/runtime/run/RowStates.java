package org.scorepipe.runtime.run;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RowMemory;
import org.scorepipe.runtime.assembly.Pipeline.Entry;
import org.scorepipe.runtime.assembly.Pipeline.NamedComponent;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;

/**
 * The {@link RowMemory} components of a pipeline and the key paths their rows go by: a runner
 * names each stage's rows on the particles before running it, so that the rows a checkpoint
 * restores, or a Spark range carries, under a key path are that component's. A component shared
 * by stages has one key path (its section's), so one set of rows, as it had one state before.
 */
public final class RowStates {
    private RowStates() {
    }

    /** The row-memory components of a stage, each once, by the first key path it is listed under. */
    public static Map<RowMemory, String> of(Entry stage) {
        Map<RowMemory, String> found = new IdentityHashMap<>();
        for (NamedComponent c : stage.components()) {
            if (c.component() instanceof RowMemory memory) {
                found.putIfAbsent(memory, c.path());
            }
        }
        return found;
    }

    /** The row-memory components of every stage, by key path, in stage order. */
    public static Map<String, RowMemory> byPath(List<Entry> stages) {
        Map<String, RowMemory> found = new LinkedHashMap<>();
        for (Entry stage : stages) {
            of(stage).forEach((memory, path) -> found.putIfAbsent(path, memory));
        }
        return found;
    }

    /** Names the rows of the stage's row-memory components on {@code particles} by their key paths. */
    public static void name(PlannedStage stage, Particles particles) {
        of(stage).forEach(particles::nameRowState);
    }
}
