package org.scorepipe.runtime.run;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scorepipe.api.Block;
import org.scorepipe.api.Counting;
import org.scorepipe.runtime.assembly.Pipeline.NamedComponent;
import org.scorepipe.runtime.assembly.Pipeline.Entry;
import org.scorepipe.runtime.assembly.Pipeline.PlannedStage;

/**
 * The counts of {@link Counting} components by key path: what the blocks of a segment added, or
 * a run's totals so far. Immutable. Counts are integers, so sums are exact in any order: the
 * totals do not depend on threads, blocks or Spark partitions.
 */
public final class Counts implements Serializable {
    private static final long serialVersionUID = 1L;

    /** No counts at all. */
    public static final Counts NONE = new Counts(Map.of());

    private final Map<String, long[]> byPath;

    private Counts(Map<String, long[]> byPath) {
        this.byPath = byPath;
    }

    /** The counting components of a stage, each once, by the first key path it is listed under. */
    public static Map<Counting, String> counting(Entry stage) {
        Map<Counting, String> found = new IdentityHashMap<>();
        for (NamedComponent c : stage.components()) {
            if (c.component() instanceof Counting counting) {
                found.putIfAbsent(counting, c.path());
            }
        }
        return found;
    }

    /** What the stage's counting components added in {@code blocks}. */
    public static Counts of(PlannedStage stage, List<Block> blocks) {
        Map<Counting, String> counting = counting(stage);
        if (counting.isEmpty()) {
            return NONE;
        }
        Map<String, long[]> sums = new LinkedHashMap<>();
        counting.forEach((component, path) -> {
            long[] sum = new long[component.countNames().size()];
            for (Block block : blocks) {
                long[] c = block.countsOf(component);
                if (c != null) {
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] += c[i];
                    }
                }
            }
            sums.put(path, sum);
        });
        return new Counts(sums);
    }

    /** The element-wise sum of both. */
    public Counts plus(Counts other) {
        if (other.byPath.isEmpty()) {
            return this;
        }
        if (byPath.isEmpty()) {
            return other;
        }
        Map<String, long[]> sums = new LinkedHashMap<>();
        byPath.forEach((path, c) -> sums.put(path, c.clone()));
        other.byPath.forEach((path, c) -> sums.merge(path, c.clone(), (a, b) -> {
            if (a.length != b.length) {
                throw new IllegalArgumentException(path + ": " + a.length + " counts and " + b.length + " counts");
            }
            for (int i = 0; i < a.length; i++) {
                a[i] += b[i];
            }
            return a;
        }));
        return new Counts(sums);
    }

    /** The counts under {@code path}, or zeros if there are none yet. */
    public long[] get(String path, int length) {
        long[] c = byPath.get(path);
        return c == null ? new long[length] : c.clone();
    }

    /** As checkpoint states: 8 big-endian bytes per count, by key path. */
    public Map<String, byte[]> states() {
        Map<String, byte[]> states = new LinkedHashMap<>();
        byPath.forEach((path, c) -> {
            ByteBuffer bytes = ByteBuffer.allocate(c.length * Long.BYTES);
            for (long v : c) {
                bytes.putLong(v);
            }
            states.put(path, bytes.array());
        });
        return states;
    }

    /**
     * The totals a checkpoint's states hold for the pipeline's counting components.
     *
     * @throws IllegalArgumentException naming the path, if a state is not that component's counts
     */
    public static Counts fromStates(List<Entry> stages, Map<String, byte[]> states) {
        Map<String, long[]> totals = new LinkedHashMap<>();
        for (Entry stage : stages) {
            counting(stage).forEach((component, path) -> {
                byte[] state = states.get(path);
                if (state == null || totals.containsKey(path)) {
                    return;
                }
                int length = component.countNames().size();
                if (state.length != length * Long.BYTES) {
                    throw new IllegalArgumentException(path + ": the checkpoint holds " + state.length + " bytes of counts; its "
                            + component.countNames() + " take " + length * Long.BYTES);
                }
                long[] c = new long[length];
                ByteBuffer bytes = ByteBuffer.wrap(state);
                for (int i = 0; i < length; i++) {
                    c[i] = bytes.getLong();
                    if (c[i] < 0) {
                        throw new IllegalArgumentException(path + ": the checkpoint's count '" + component.countNames().get(i)
                                + "' is negative (" + c[i] + ")");
                    }
                }
                totals.put(path, c);
            });
        }
        return totals.isEmpty() ? NONE : new Counts(totals);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        byPath.forEach((path, c) -> s.append(s.length() > 1 ? ", " : "").append(path).append('=').append(Arrays.toString(c)));
        return s.append('}').toString();
    }
}
