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

    /** How many doubles per particle each row-memory component of the pipeline keeps, by key path. */
    public static Map<String, Integer> widths(List<Entry> stages, int dimension) {
        Map<String, Integer> widths = new LinkedHashMap<>();
        byPath(stages).forEach((path, memory) -> widths.put(path, memory.rowWidth(dimension)));
        return widths;
    }

    /**
     * The rows of a checkpoint that the pipeline's components keep ({@code widths}, by key path):
     * rows of a path that is no row-memory component now (the stage in progress changed its
     * predictor) are dropped.
     *
     * @throws org.scorepipe.runtime.ScorepipeException naming the path, if rows have another width
     */
    public static Map<String, double[]> kept(Map<String, double[]> rows, Map<String, Integer> widths, int n) {
        Map<String, double[]> kept = new LinkedHashMap<>();
        widths.forEach((path, width) -> {
            double[] r = rows.get(path);
            if (r == null) {
                return;
            }
            if (r.length != (long) n * width) {
                throw new org.scorepipe.runtime.ScorepipeException(path + ": the checkpoint's particles carry "
                        + (n == 0 ? 0 : r.length / n) + " doubles per particle for it, but its component keeps " + width
                        + "; continue from a checkpoint at the start of the stage, or keep its component");
            }
            kept.put(path, r);
        });
        return kept;
    }

    /** Names the rows of the stage's row-memory components on {@code particles} by their key paths. */
    public static void name(PlannedStage stage, Particles particles) {
        of(stage).forEach(particles::nameRowState);
    }
}
