package org.scorepipe.core.predictors;

import static java.util.Objects.requireNonNull;

import java.util.function.BiFunction;
import org.scorepipe.api.Block;

/**
 * A multistep solver's per-particle state: one value of rows for the whole ensemble, made empty
 * when a block first needs it and made anew when the ensemble's size or dimension changes. Blocks
 * of one ensemble write disjoint rows, so they share the value without locking; only its creation
 * is synchronised.
 *
 * @param <R> the rows, which know their size and dimension
 */
final class RowState<R extends RowState.Shape> {
    /** What a value of rows knows of its shape. */
    interface Shape {
        int n();

        int d();
    }

    private final BiFunction<Integer, Integer, R> empty;
    private volatile R rows;

    /** @param empty the rows of {@code n} particles in {@code d} dimensions before any step */
    RowState(BiFunction<Integer, Integer, R> empty) {
        this.empty = requireNonNull(empty, "empty is null");
    }

    /** The rows of the block's ensemble. */
    R of(Block block) {
        R r = rows;
        int n = block.particles().size();
        int d = block.dimension();
        if (r != null && r.n() == n && r.d() == d) {
            return r;
        }
        synchronized (this) {
            r = rows;
            if (r == null || r.n() != n || r.d() != d) {
                r = empty.apply(n, d);
                rows = r;
            }
            return r;
        }
    }

    /** The rows as they stand, or null before the first step. */
    R get() {
        return rows;
    }

    /** Replaces the rows (a restored checkpoint's, or null). */
    void set(R r) {
        rows = r;
    }
}
