package org.scorepipe.runtime.noise;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The common path of Commons RNG's {@code ZigguratSampler.NormalizedGaussian} on a vector of words
 * at once; {@link PhiloxNoise#normalRows} keeps the scalar form of the same path and the rare rest.
 *
 * <p>For a 64-bit word whose low byte {@code i} is below 253, McFarland's ziggurat returns
 * {@code X[i] * word} (the word converted to double, rounded to nearest), with {@code X} the table
 * of layer abscissae ({@link PhiloxNoise#ZIGGURAT_X}, read out of Commons RNG's own sampler). Here a
 * vector of consecutive words of one row is gathered from {@link PhiloxLanes}' layout, and when no
 * word in it leaves the common path, the table is gathered by the low bytes and multiplied lane by
 * lane: the same conversion and the same product as the scalar path, so the same bits.
 *
 * <p>Only loaded when the Vector API module is present ({@link PhiloxNoise#VECTORISED}).
 */
final class ZigguratLanes {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, LONGS.vectorShape());
    private static final VectorSpecies<Integer> INTS =
            VectorSpecies.of(int.class, VectorShape.forBitSize(LONGS.vectorBitSize() / 2));
    private static final int WIDTH = LONGS.length();

    /** The full sampler, for a row's word off the common path (or past its computed words). */
    interface Edge {
        /**
         * Writes the normal that starts at word {@code next} of row {@code row} into
         * {@code out[index]} and returns the row's next unused word.
         */
        int normal(int row, int next, double[] out, int index);
    }

    private final long[] words;
    private final int stride;
    private final double[] table;
    /** Gather maps of {@code WIDTH} consecutive words of a row, one for each word {@code q & 3} it starts at. */
    private final int[][] maps = new int[4][WIDTH];
    /** The low bytes of a vector of words, as the int indices a gather takes. */
    private final int[] layers = new int[WIDTH];

    /**
     * The ziggurat over {@code words}, laid out as {@link PhiloxLanes#blocks} writes them: word
     * {@code q} of the row that starts at lane {@code lane} is {@code words[(q & 3) * stride + lane +
     * (q >>> 2)]}.
     */
    ZigguratLanes(long[] words, int stride, double[] table) {
        this.words = words;
        this.stride = stride;
        this.table = table;
        for (int a = 0; a < 4; a++) {
            for (int i = 0; i < WIDTH; i++) {
                maps[a][i] = ((a + i) & 3) * stride + ((a + i) >>> 2);
            }
        }
    }

    /**
     * {@code count} normals for each of {@code rows} rows into {@code out[offset + r * count ..]}, row
     * {@code r} reading the {@code available} words from lane {@code r * blocksPerRow} on.
     *
     * <p>One method on purpose: HotSpot inlines a hot callee only below 325 bytes of bytecode, and
     * when this loop was inlined into {@link PhiloxNoise#normalRows} together with the Philox lanes,
     * C2 sometimes ran out of its node budget halfway through the Vector API calls, left the gather
     * un-intrinsified and boxed every vector (310 bytes per row, 12% slower). As one larger method it
     * is always compiled on its own.
     */
    void rows(int rows, int blocksPerRow, int available, int count, double[] out, int offset, Edge edge) {
        for (int r = 0; r < rows; r++) {
            int o = offset + r * count;
            int lane = r * blocksPerRow;
            int next = 0;  // the row's next unused word
            int j = 0;     // and its next normal
            while (j < count) {
                if (j + WIDTH <= count && next + WIDTH <= available) {
                    LongVector word = LongVector.fromArray(LONGS, words, lane + (next >>> 2), maps[next & 3], 0);
                    LongVector layer = word.and(0xFFL);
                    VectorMask<Long> off = layer.compare(VectorOperators.GE, PhiloxNoise.ZIGGURAT_FAST);
                    if (!off.anyTrue()) {
                        ((IntVector) layer.convertShape(VectorOperators.L2I, INTS, 0)).intoArray(layers, 0);
                        DoubleVector x = DoubleVector.fromArray(DOUBLES, table, 0, layers, 0);
                        x.mul((DoubleVector) word.convertShape(VectorOperators.L2D, DOUBLES, 0)).intoArray(out, o + j);
                        j += WIDTH;
                        next += WIDTH;
                        continue;
                    }
                    // The words before the first one off the common path, then that one to the sampler.
                    for (int end = j + off.firstTrue(); j < end; j++, next++) {
                        out[o + j] = common(word(lane, next));
                    }
                } else if (next < available && onCommonPath(word(lane, next))) {
                    // Fewer than a vector's words or normals left: one at a time.
                    out[o + j++] = common(word(lane, next++));
                    continue;
                }
                // Word `next` is off the common path, or the row's words ran out.
                next = edge.normal(r, next, out, o + j++);
            }
        }
    }

    /** Word {@code q} of the row that starts at lane {@code lane}. */
    long word(int lane, int q) {
        return words[(q & 3) * stride + lane + (q >>> 2)];
    }

    private static boolean onCommonPath(long word) {
        return ((int) word & 0xFF) < PhiloxNoise.ZIGGURAT_FAST;
    }

    /** The ziggurat's common path for a word on it: {@code X[i] * word}, as the scalar sampler computes it. */
    private double common(long word) {
        return table[(int) word & 0xFF] * word;
    }
}
