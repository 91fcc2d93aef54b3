package org.scorepipe.runtime.noise;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The normals of many rows at once, one row per SIMD lane, through the Vector API: each lane runs
 * the row's xoshiro256++ ({@link Xoshiro256PlusPlus} is the scalar twin and the reference),
 * <pre>
 *   word = rotl(s0 + s3, 23) + s0
 *   t = s1 &lt;&lt; 17;  s2 ^= s0;  s3 ^= s1;  s1 ^= s2;  s0 ^= s3;  s2 ^= t;  s3 = rotl(s3, 45)
 * </pre>
 * (shifts, rotations, XORs and additions, which SIMD units have for 64-bit lanes), and turns word
 * {@code q} into normal {@code q} by the common path of Commons RNG's
 * {@code ZigguratSampler.NormalizedGaussian}: {@code X[i] * word} for the word's low byte
 * {@code i < 253} (the word converted to double, rounded to nearest), with {@code X} the table of
 * layer abscissae ({@link PhiloxNoise#ZIGGURAT_X}, read out of Commons RNG's own sampler). The same
 * conversion and product as the scalar path, so the same bits. A word off the common path (3 in
 * 256) is listed ({@link #offIndex}, {@link #offWord}) for the caller to finish with the full sampler.
 *
 * <p>Only loaded when the Vector API module is present ({@link PhiloxNoise#VECTORISED}).
 */
final class NormalLanes {
    private static final VectorSpecies<Long> LONGS = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = VectorSpecies.of(double.class, LONGS.vectorShape());
    private static final VectorSpecies<Integer> INTS =
            VectorSpecies.of(int.class, VectorShape.forBitSize(LONGS.vectorBitSize() / 2));
    private static final int WIDTH = LONGS.length();

    private final double[] table;
    /** The low bytes of a vector of words, as the int indices a gather takes. */
    private final int[] layers = new int[WIDTH];
    /** Where the words off the common path are ({@code q * outStride + r}), and the words. */
    int[] offIndex = new int[64];
    long[] offWord = new long[64];

    /** The ziggurat over {@code table}, its common path's {@code X}; entries past it are read and ignored. */
    NormalLanes(double[] table) {
        this.table = Arrays.copyOf(table, 256);
    }

    /** Lanes per vector: row counts passed to {@link #normals} are rounded up to a multiple of it. */
    static int width() {
        return WIDTH;
    }

    /**
     * For each row {@code r < rows} (rounded up to whole vectors, which the arrays must hold), the
     * first {@code count} words of xoshiro256++ started at the state
     * {@code (state[r], state[stride + r], state[2 stride + r], state[3 stride + r])} (an all-zero
     * one replaced as {@link Xoshiro256PlusPlus#reset} does), word {@code q}'s normal into
     * {@code out[q * outStride + r]} where it is on the ziggurat's common path: column-major, so that
     * a vector of rows is stored at once (a scatter into row-major rows was 2.5 times slower at 64
     * normals a row). Returns how many words were off it; the first that many entries of
     * {@link #offIndex} and {@link #offWord} say where (those entries hold garbage) and which.
     */
    int normals(long[] state, int stride, int rows, int count, double[] out, int outStride) {
        long[] standIn = Xoshiro256PlusPlus.ZERO_STATE_STANDIN;
        int off = 0;
        for (int f = 0; f < rows; f += WIDTH) {
            LongVector s0 = LongVector.fromArray(LONGS, state, f);
            LongVector s1 = LongVector.fromArray(LONGS, state, stride + f);
            LongVector s2 = LongVector.fromArray(LONGS, state, 2 * stride + f);
            LongVector s3 = LongVector.fromArray(LONGS, state, 3 * stride + f);
            VectorMask<Long> zero = s0.or(s1).or(s2).or(s3).compare(VectorOperators.EQ, 0L);
            if (zero.anyTrue()) {
                s0 = s0.blend(standIn[0], zero);
                s1 = s1.blend(standIn[1], zero);
                s2 = s2.blend(standIn[2], zero);
                s3 = s3.blend(standIn[3], zero);
            }
            for (int q = 0, o = f; q < count; q++, o += outStride) {
                LongVector word = s0.add(s3).lanewise(VectorOperators.ROL, 23).add(s0);
                LongVector t = s1.lanewise(VectorOperators.LSHL, 17);
                s2 = s2.lanewise(VectorOperators.XOR, s0);
                s3 = s3.lanewise(VectorOperators.XOR, s1);
                s1 = s1.lanewise(VectorOperators.XOR, s2);
                s0 = s0.lanewise(VectorOperators.XOR, s3);
                s2 = s2.lanewise(VectorOperators.XOR, t);
                s3 = s3.lanewise(VectorOperators.ROL, 45);

                LongVector layer = word.and(0xFFL);
                ((IntVector) layer.convertShape(VectorOperators.L2I, INTS, 0)).intoArray(layers, 0);
                DoubleVector x = DoubleVector.fromArray(DOUBLES, table, 0, layers, 0);
                x.mul((DoubleVector) word.convertShape(VectorOperators.L2D, DOUBLES, 0)).intoArray(out, o);
                VectorMask<Long> edge = layer.compare(VectorOperators.GE, PhiloxNoise.ZIGGURAT_FAST);
                if (edge.anyTrue()) {
                    off = list(edge.toLong(), word, o, f, rows, off);
                }
            }
        }
        return off;
    }

    /** Appends the lanes of {@code mask} that are rows below {@code rows}; kept out of the loop, which stays small. */
    private int list(long mask, LongVector word, int o, int f, int rows, int off) {
        for (long m = mask; m != 0; m &= m - 1) {
            int lane = Long.numberOfTrailingZeros(m);
            if (f + lane >= rows) {
                break;
            }
            if (off == offIndex.length) {
                offIndex = Arrays.copyOf(offIndex, 2 * off);
                offWord = Arrays.copyOf(offWord, 2 * off);
            }
            offIndex[off] = o + lane;
            offWord[off] = word.lane(lane);
            off++;
        }
        return off;
    }
}
