package org.scorepipe.core.scores;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;
import org.scorepipe.api.Simd;

/**
 * The score of a dense-precision mixture for a chunk of rows, one row per SIMD lane: every lane
 * runs exactly the scalar sequence of {@link NoisedMixture}'s dense path for its row, so the bits
 * are the plain path's ({@code NoisedMixtureTest}, {@code DeterminismIT}):
 * <pre>
 *   y_k   = -b_k + sum_j x_j P_k[j, .]          fused multiply-adds, j = 0 .. d-1 (as {@link PrecisionProduct})
 *   l_k   = log w_k - log det C_k / 2 - (1/2) sum_i (x_i - m_ki) y_ki      (i in order)
 *   r     = softmax(l)                          ({@link Lanes#softmax})
 *   s_i   = 0 - r_0 y_0i - r_1 y_1i - ...       (k in order)
 * </pre>
 * The chunk is held transposed (coordinate-major, rows side by side), so lanes are contiguous and
 * no lane ever sums across another's data: the width of the SIMD unit cannot change a bit. The
 * product {@code Y^T = [P_1 .. P_K]^T X^T} runs in register tiles of eight outputs by three vectors
 * of rows (24 accumulators, three loads and eight broadcasts per 24 fused multiply-adds), the
 * micro-kernel shape of BLAS's register tiling. The sum for the scores holds up to eight
 * components' responsibilities in registers ({@link #combine}) for {@code d >= 8} not a multiple
 * of 32.
 *
 * <p>Where the time goes at {@code d = 16, K = 8} (one thread, 1008 rows, smoke, ns a row): the
 * product 41 (2048 fused multiply-adds a row: about 6e9 eight-wide ones a second), the logits 12,
 * the softmax 7, the sum for the scores 9.5 (12 before it held the responsibilities), moving rows
 * into lanes 6.4 and back 9. Gathers back (7 instead of 9 alone) were tried and dropped: inlined into
 * {@link #score}, they ran four times slower at {@code d = 64} in some runs. The C kernel
 * {@code benchmarks/c/langevin_step.c} stores its particles in lanes (no transposes), folds the
 * logits into its product tile's epilogue and uses a shorter exponential. Here the logits cannot
 * join the tile: with their 24 terms C2 stops inlining the Vector API calls
 * ({@code NodeCountInliningCutoff}) and boxes vectors, ten times slower; and the rewriting
 * of the logits ({@code c_k - x.Y_k/2 + x.b_k}) would change every shipped pipeline's bits. Only
 * loaded when {@link Simd#ENABLED}.
 */
final class FullScoreLanes {
    private static final VectorSpecies<Double> SPECIES = Lanes.SPECIES;
    private static final int LANES = Lanes.LANES;
    /** Rows per chunk: a multiple of the three-vector tile (48 = 2 x 24 with eight lanes). */
    static final int CHUNK = 6 * LANES;
    private static final ThreadLocal<double[]> SCRATCH = new ThreadLocal<>();

    private FullScoreLanes() {
    }

    /**
     * Scores of the {@code rows} rows at {@code x[xo ..]} (a multiple of {@link #LANES}) into
     * {@code out[0 ..]}: {@code p} is {@code [P_1 .. P_K]} ({@code d x Kd} row-major) and
     * {@code panels} its {@link #panels}, {@code negatedShifts} is {@code -[b_1 .. b_K]},
     * {@code means} the {@code m_k} at {@code k*d}.
     */
    static void score(double[] x, int xo, int rows, int d, int size, double[] p, double[] panels,
            double[] negatedShifts, double[] means, double[] logNormalisers, double[] out) {
        int w = size * d;
        // Transposed chunk: x at [0, d CHUNK), y at [.., + Kd CHUNK), logits at [.., + K CHUNK), then scratch.
        int yAt = d * CHUNK;
        int logitsAt = yAt + w * CHUNK;
        int scratchAt = logitsAt + size * CHUNK;
        double[] t = SCRATCH.get();
        if (t == null || t.length < scratchAt + 2 * LANES) {
            t = new double[scratchAt + 2 * LANES];
            SCRATCH.set(t);
        }
        int[] offsets = Lanes.rowOffsets(d);
        for (int first = 0; first < rows; first += CHUNK) {
            int n = Math.min(CHUNK, rows - first);
            int rowAt = xo + first * d;
            Lanes.transpose(x, rowAt, n, d, offsets, t, 0, CHUNK);
            product(p, panels, w, negatedShifts, d, t, yAt, n);
            for (int k = 0; k < size; k++) {
                if (n == CHUNK) {
                    logits6(t, yAt, logitsAt, d, k, means, logNormalisers[k]);
                } else {
                    for (int q = 0; q < n; q += LANES) {
                        logits1(t, yAt, logitsAt, d, k, q, means, logNormalisers[k]);
                    }
                }
            }
            Lanes.softmax(t, logitsAt, n, size, CHUNK, null, 0, t, scratchAt);
            // The scores go over x's transpose, which is no longer needed.
            if (d < 8 || d % 32 == 0) {
                // Few coordinates: the calls per vector of rows would cost more than the loads saved;
                // d a multiple of 32: components lie a multiple of 4 KiB apart (d CHUNK doubles), so
                // eight of them at once fall in one set of the L1 cache.
                if (n == CHUNK) {
                    combine6(t, yAt, logitsAt, d, size);
                } else {
                    for (int q = 0; q < n; q += LANES) {
                        combine1(t, yAt, logitsAt, d, size, q);
                    }
                }
            } else {
                for (int q = 0; q < n; q += LANES) {
                    combine(t, yAt, logitsAt, d, size, q);
                }
            }
            Lanes.untranspose(t, 0, CHUNK, n, d, out, first * d);
        }
    }

    /**
     * Component {@code k}'s logits {@code l_k - quad / 2}, {@code quad = sum_i (x_i - m_ki) y_ki},
     * for a whole chunk: six sum chains side by side hide the adder's latency without changing any
     * row's order of summation, and {@code y_k} is read once, front to back, as it lies in memory.
     */
    private static void logits6(double[] t, int yAt, int logitsAt, int d, int k, double[] means,
            double logNormaliser) {
        DoubleVector quad0 = DoubleVector.zero(SPECIES);
        DoubleVector quad1 = quad0;
        DoubleVector quad2 = quad0;
        DoubleVector quad3 = quad0;
        DoubleVector quad4 = quad0;
        DoubleVector quad5 = quad0;
        int mo = k * d;
        for (int i = 0; i < d; i++) {
            double m = means[mo + i];
            int xi = i * CHUNK;
            int yi = yAt + (mo + i) * CHUNK;
            quad0 = quad0.add(DoubleVector.fromArray(SPECIES, t, xi).sub(m).mul(DoubleVector.fromArray(SPECIES, t, yi)));
            quad1 = quad1.add(DoubleVector.fromArray(SPECIES, t, xi + LANES).sub(m)
                    .mul(DoubleVector.fromArray(SPECIES, t, yi + LANES)));
            quad2 = quad2.add(DoubleVector.fromArray(SPECIES, t, xi + 2 * LANES).sub(m)
                    .mul(DoubleVector.fromArray(SPECIES, t, yi + 2 * LANES)));
            quad3 = quad3.add(DoubleVector.fromArray(SPECIES, t, xi + 3 * LANES).sub(m)
                    .mul(DoubleVector.fromArray(SPECIES, t, yi + 3 * LANES)));
            quad4 = quad4.add(DoubleVector.fromArray(SPECIES, t, xi + 4 * LANES).sub(m)
                    .mul(DoubleVector.fromArray(SPECIES, t, yi + 4 * LANES)));
            quad5 = quad5.add(DoubleVector.fromArray(SPECIES, t, xi + 5 * LANES).sub(m)
                    .mul(DoubleVector.fromArray(SPECIES, t, yi + 5 * LANES)));
        }
        DoubleVector l = DoubleVector.broadcast(SPECIES, logNormaliser);
        int o = logitsAt + k * CHUNK;
        l.sub(quad0.mul(0.5)).intoArray(t, o);
        l.sub(quad1.mul(0.5)).intoArray(t, o + LANES);
        l.sub(quad2.mul(0.5)).intoArray(t, o + 2 * LANES);
        l.sub(quad3.mul(0.5)).intoArray(t, o + 3 * LANES);
        l.sub(quad4.mul(0.5)).intoArray(t, o + 4 * LANES);
        l.sub(quad5.mul(0.5)).intoArray(t, o + 5 * LANES);
    }

    /** {@link #logits6} for the one vector of rows from {@code q}. */
    private static void logits1(double[] t, int yAt, int logitsAt, int d, int k, int q, double[] means,
            double logNormaliser) {
        DoubleVector quad = DoubleVector.zero(SPECIES);
        int mo = k * d;
        int ko = yAt + mo * CHUNK + q;
        for (int i = 0; i < d; i++) {
            DoubleVector z = DoubleVector.fromArray(SPECIES, t, i * CHUNK + q).sub(means[mo + i]);
            quad = quad.add(z.mul(DoubleVector.fromArray(SPECIES, t, ko + i * CHUNK)));
        }
        DoubleVector.broadcast(SPECIES, logNormaliser).sub(quad.mul(0.5)).intoArray(t, logitsAt + k * CHUNK + q);
    }

    /**
     * The scores {@code s_i = 0 - r_0 y_0i - r_1 y_1i - ...} of a whole chunk into {@code t[i*CHUNK ..]}:
     * six chains side by side, each {@code y_ki} read in a run of six vectors.
     */
    private static void combine6(double[] t, int yAt, int logitsAt, int d, int size) {
        for (int i = 0; i < d; i++) {
            DoubleVector s0 = DoubleVector.zero(SPECIES);
            DoubleVector s1 = s0;
            DoubleVector s2 = s0;
            DoubleVector s3 = s0;
            DoubleVector s4 = s0;
            DoubleVector s5 = s0;
            for (int k = 0; k < size; k++) {
                int r = logitsAt + k * CHUNK;
                int y = yAt + (k * d + i) * CHUNK;
                s0 = s0.sub(DoubleVector.fromArray(SPECIES, t, r).mul(DoubleVector.fromArray(SPECIES, t, y)));
                s1 = s1.sub(DoubleVector.fromArray(SPECIES, t, r + LANES).mul(DoubleVector.fromArray(SPECIES, t, y + LANES)));
                s2 = s2.sub(DoubleVector.fromArray(SPECIES, t, r + 2 * LANES)
                        .mul(DoubleVector.fromArray(SPECIES, t, y + 2 * LANES)));
                s3 = s3.sub(DoubleVector.fromArray(SPECIES, t, r + 3 * LANES)
                        .mul(DoubleVector.fromArray(SPECIES, t, y + 3 * LANES)));
                s4 = s4.sub(DoubleVector.fromArray(SPECIES, t, r + 4 * LANES)
                        .mul(DoubleVector.fromArray(SPECIES, t, y + 4 * LANES)));
                s5 = s5.sub(DoubleVector.fromArray(SPECIES, t, r + 5 * LANES)
                        .mul(DoubleVector.fromArray(SPECIES, t, y + 5 * LANES)));
            }
            int o = i * CHUNK;
            s0.intoArray(t, o);
            s1.intoArray(t, o + LANES);
            s2.intoArray(t, o + 2 * LANES);
            s3.intoArray(t, o + 3 * LANES);
            s4.intoArray(t, o + 4 * LANES);
            s5.intoArray(t, o + 5 * LANES);
        }
    }

    /** {@link #combine6} for the one vector of rows from {@code q}, components one at a time. */
    private static void combine1(double[] t, int yAt, int logitsAt, int d, int size, int q) {
        for (int i = 0; i < d; i++) {
            DoubleVector s = DoubleVector.zero(SPECIES);
            for (int k = 0; k < size; k++) {
                DoubleVector weight = DoubleVector.fromArray(SPECIES, t, logitsAt + k * CHUNK + q);
                s = s.sub(weight.mul(DoubleVector.fromArray(SPECIES, t, yAt + (k * d + i) * CHUNK + q)));
            }
            s.intoArray(t, i * CHUNK + q);
        }
    }

    /**
     * The scores {@code s_i = 0 - r_0 y_0i - r_1 y_1i - ...} (k in order) of the one vector of rows
     * from {@code q} into {@code t[i*CHUNK + q]}: components in groups of eight (then four, two,
     * one) whose responsibilities stay in registers while {@code i} runs, so each {@code y_ki} is
     * the one load of its term; between groups the partial sums wait in {@code t}. The loads, not
     * the arithmetic, bound this pass.
     */
    private static void combine(double[] t, int yAt, int logitsAt, int d, int size, int q) {
        int k0 = 0;
        for (; k0 + 8 <= size; k0 += 8) {
            held8(t, yAt, logitsAt, d, k0, q);
        }
        if (k0 + 4 <= size) {
            held4(t, yAt, logitsAt, d, k0, q);
            k0 += 4;
        }
        if (k0 + 2 <= size) {
            held2(t, yAt, logitsAt, d, k0, q);
            k0 += 2;
        }
        if (k0 < size) {
            held1(t, yAt, logitsAt, d, k0, q);
        }
    }

    /** Components {@code k0 .. k0 + 7} of {@link #combine}, their responsibilities in registers. */
    private static void held8(double[] t, int yAt, int logitsAt, int d, int k0, int q) {
        int r = logitsAt + k0 * CHUNK + q;
        DoubleVector r0 = DoubleVector.fromArray(SPECIES, t, r);
        DoubleVector r1 = DoubleVector.fromArray(SPECIES, t, r + 1 * CHUNK);
        DoubleVector r2 = DoubleVector.fromArray(SPECIES, t, r + 2 * CHUNK);
        DoubleVector r3 = DoubleVector.fromArray(SPECIES, t, r + 3 * CHUNK);
        DoubleVector r4 = DoubleVector.fromArray(SPECIES, t, r + 4 * CHUNK);
        DoubleVector r5 = DoubleVector.fromArray(SPECIES, t, r + 5 * CHUNK);
        DoubleVector r6 = DoubleVector.fromArray(SPECIES, t, r + 6 * CHUNK);
        DoubleVector r7 = DoubleVector.fromArray(SPECIES, t, r + 7 * CHUNK);
        int dc = d * CHUNK;
        for (int i = 0; i < d; i++) {
            int o = i * CHUNK + q;
            int y = yAt + (k0 * d + i) * CHUNK + q;
            DoubleVector s = k0 == 0 ? DoubleVector.zero(SPECIES) : DoubleVector.fromArray(SPECIES, t, o);
            s = s.sub(r0.mul(DoubleVector.fromArray(SPECIES, t, y)));
            s = s.sub(r1.mul(DoubleVector.fromArray(SPECIES, t, y + dc)));
            s = s.sub(r2.mul(DoubleVector.fromArray(SPECIES, t, y + 2 * dc)));
            s = s.sub(r3.mul(DoubleVector.fromArray(SPECIES, t, y + 3 * dc)));
            s = s.sub(r4.mul(DoubleVector.fromArray(SPECIES, t, y + 4 * dc)));
            s = s.sub(r5.mul(DoubleVector.fromArray(SPECIES, t, y + 5 * dc)));
            s = s.sub(r6.mul(DoubleVector.fromArray(SPECIES, t, y + 6 * dc)));
            s = s.sub(r7.mul(DoubleVector.fromArray(SPECIES, t, y + 7 * dc)));
            s.intoArray(t, o);
        }
    }

    /** Components {@code k0 .. k0 + 3} of {@link #combine}, their responsibilities in registers. */
    private static void held4(double[] t, int yAt, int logitsAt, int d, int k0, int q) {
        int r = logitsAt + k0 * CHUNK + q;
        DoubleVector r0 = DoubleVector.fromArray(SPECIES, t, r);
        DoubleVector r1 = DoubleVector.fromArray(SPECIES, t, r + 1 * CHUNK);
        DoubleVector r2 = DoubleVector.fromArray(SPECIES, t, r + 2 * CHUNK);
        DoubleVector r3 = DoubleVector.fromArray(SPECIES, t, r + 3 * CHUNK);
        int dc = d * CHUNK;
        for (int i = 0; i < d; i++) {
            int o = i * CHUNK + q;
            int y = yAt + (k0 * d + i) * CHUNK + q;
            DoubleVector s = k0 == 0 ? DoubleVector.zero(SPECIES) : DoubleVector.fromArray(SPECIES, t, o);
            s = s.sub(r0.mul(DoubleVector.fromArray(SPECIES, t, y)));
            s = s.sub(r1.mul(DoubleVector.fromArray(SPECIES, t, y + dc)));
            s = s.sub(r2.mul(DoubleVector.fromArray(SPECIES, t, y + 2 * dc)));
            s = s.sub(r3.mul(DoubleVector.fromArray(SPECIES, t, y + 3 * dc)));
            s.intoArray(t, o);
        }
    }

    /** Components {@code k0 .. k0 + 1} of {@link #combine}, their responsibilities in registers. */
    private static void held2(double[] t, int yAt, int logitsAt, int d, int k0, int q) {
        int r = logitsAt + k0 * CHUNK + q;
        DoubleVector r0 = DoubleVector.fromArray(SPECIES, t, r);
        DoubleVector r1 = DoubleVector.fromArray(SPECIES, t, r + 1 * CHUNK);
        int dc = d * CHUNK;
        for (int i = 0; i < d; i++) {
            int o = i * CHUNK + q;
            int y = yAt + (k0 * d + i) * CHUNK + q;
            DoubleVector s = k0 == 0 ? DoubleVector.zero(SPECIES) : DoubleVector.fromArray(SPECIES, t, o);
            s = s.sub(r0.mul(DoubleVector.fromArray(SPECIES, t, y)));
            s = s.sub(r1.mul(DoubleVector.fromArray(SPECIES, t, y + dc)));
            s.intoArray(t, o);
        }
    }

    /** Components {@code k0 .. k0 + 0} of {@link #combine}, their responsibilities in registers. */
    private static void held1(double[] t, int yAt, int logitsAt, int d, int k0, int q) {
        int r = logitsAt + k0 * CHUNK + q;
        DoubleVector r0 = DoubleVector.fromArray(SPECIES, t, r);
        int dc = d * CHUNK;
        for (int i = 0; i < d; i++) {
            int o = i * CHUNK + q;
            int y = yAt + (k0 * d + i) * CHUNK + q;
            DoubleVector s = k0 == 0 ? DoubleVector.zero(SPECIES) : DoubleVector.fromArray(SPECIES, t, o);
            s = s.sub(r0.mul(DoubleVector.fromArray(SPECIES, t, y)));
            s.intoArray(t, o);
        }
    }

    /**
     * The columns of {@code p} ({@code d x w} row-major) in panels of eight, as BLAS packs its
     * operands: {@code panels[c*d + j*8 + l] = p[j*w + c + l]} for each {@code c} a multiple of 8
     * below {@code w - w % 8}. A tile then reads its {@code 8 d} values in one sequential run,
     * where rows of {@code p} lie {@code 8 w} bytes apart (4 KiB at {@code d = 64, K = 8}: one
     * page per {@code j}, and one cache set for all of them).
     */
    static double[] panels(double[] p, int d, int w) {
        int octets = w - w % 8;
        double[] panels = new double[octets * d];
        for (int c = 0; c < octets; c += 8) {
            for (int j = 0; j < d; j++) {
                System.arraycopy(p, j * w + c, panels, c * d + j * 8, 8);
            }
        }
        return panels;
    }

    /** {@code yT[c*CHUNK + q] = b[c] + sum_j P[j][c] xT[j*CHUNK + q]} for {@code c < w}, {@code q < n}. */
    private static void product(double[] p, double[] panels, int w, double[] b, int d, double[] t, int yAt, int n) {
        int triples = n - n % (3 * LANES);
        int octets = w - w % 8;
        for (int q = 0; q < triples; q += 3 * LANES) {
            for (int c = 0; c < octets; c += 8) {
                tile8x3(panels, b, d, t, yAt, c, q);
            }
            for (int c = octets; c < w; c++) {
                for (int v = 0; v < 3; v++) {
                    column(p, w, b, d, t, yAt, c, q + v * LANES);
                }
            }
        }
        for (int q = triples; q < n; q += LANES) {
            for (int c = 0; c < octets; c += 8) {
                tile8x1(panels, b, d, t, yAt, c, q);
            }
            for (int c = octets; c < w; c++) {
                column(p, w, b, d, t, yAt, c, q);
            }
        }
    }

    /** One output {@code c} for the {@code LANES} rows from {@code q}. */
    private static void column(double[] p, int w, double[] b, int d, double[] t, int yAt, int c, int q) {
        DoubleVector a = DoubleVector.broadcast(SPECIES, b[c]);
        for (int j = 0; j < d; j++) {
            a = DoubleVector.broadcast(SPECIES, p[j * w + c]).fma(DoubleVector.fromArray(SPECIES, t, j * CHUNK + q), a);
        }
        a.intoArray(t, yAt + c * CHUNK + q);
    }

    /** {@code yT[c .. c+8) x [q, q + 3 LANES)}: 24 accumulators; per {@code j} three loads of {@code xT}, eight broadcasts of {@code P}. */
    private static void tile8x3(double[] panels, double[] b, int d, double[] t, int yAt, int c, int q) {
        DoubleVector b0 = DoubleVector.broadcast(SPECIES, b[c]);
        DoubleVector b1 = DoubleVector.broadcast(SPECIES, b[c + 1]);
        DoubleVector b2 = DoubleVector.broadcast(SPECIES, b[c + 2]);
        DoubleVector b3 = DoubleVector.broadcast(SPECIES, b[c + 3]);
        DoubleVector b4 = DoubleVector.broadcast(SPECIES, b[c + 4]);
        DoubleVector b5 = DoubleVector.broadcast(SPECIES, b[c + 5]);
        DoubleVector b6 = DoubleVector.broadcast(SPECIES, b[c + 6]);
        DoubleVector b7 = DoubleVector.broadcast(SPECIES, b[c + 7]);
        DoubleVector a00 = b0;
        DoubleVector a01 = b0;
        DoubleVector a02 = b0;
        DoubleVector a10 = b1;
        DoubleVector a11 = b1;
        DoubleVector a12 = b1;
        DoubleVector a20 = b2;
        DoubleVector a21 = b2;
        DoubleVector a22 = b2;
        DoubleVector a30 = b3;
        DoubleVector a31 = b3;
        DoubleVector a32 = b3;
        DoubleVector a40 = b4;
        DoubleVector a41 = b4;
        DoubleVector a42 = b4;
        DoubleVector a50 = b5;
        DoubleVector a51 = b5;
        DoubleVector a52 = b5;
        DoubleVector a60 = b6;
        DoubleVector a61 = b6;
        DoubleVector a62 = b6;
        DoubleVector a70 = b7;
        DoubleVector a71 = b7;
        DoubleVector a72 = b7;
        for (int j = 0; j < d; j++) {
            int xj = j * CHUNK + q;
            DoubleVector x0 = DoubleVector.fromArray(SPECIES, t, xj);
            DoubleVector x1 = DoubleVector.fromArray(SPECIES, t, xj + 1 * LANES);
            DoubleVector x2 = DoubleVector.fromArray(SPECIES, t, xj + 2 * LANES);
            int pj = c * d + j * 8;
            DoubleVector p0 = DoubleVector.broadcast(SPECIES, panels[pj]);
            a00 = p0.fma(x0, a00);
            a01 = p0.fma(x1, a01);
            a02 = p0.fma(x2, a02);
            DoubleVector p1 = DoubleVector.broadcast(SPECIES, panels[pj + 1]);
            a10 = p1.fma(x0, a10);
            a11 = p1.fma(x1, a11);
            a12 = p1.fma(x2, a12);
            DoubleVector p2 = DoubleVector.broadcast(SPECIES, panels[pj + 2]);
            a20 = p2.fma(x0, a20);
            a21 = p2.fma(x1, a21);
            a22 = p2.fma(x2, a22);
            DoubleVector p3 = DoubleVector.broadcast(SPECIES, panels[pj + 3]);
            a30 = p3.fma(x0, a30);
            a31 = p3.fma(x1, a31);
            a32 = p3.fma(x2, a32);
            DoubleVector p4 = DoubleVector.broadcast(SPECIES, panels[pj + 4]);
            a40 = p4.fma(x0, a40);
            a41 = p4.fma(x1, a41);
            a42 = p4.fma(x2, a42);
            DoubleVector p5 = DoubleVector.broadcast(SPECIES, panels[pj + 5]);
            a50 = p5.fma(x0, a50);
            a51 = p5.fma(x1, a51);
            a52 = p5.fma(x2, a52);
            DoubleVector p6 = DoubleVector.broadcast(SPECIES, panels[pj + 6]);
            a60 = p6.fma(x0, a60);
            a61 = p6.fma(x1, a61);
            a62 = p6.fma(x2, a62);
            DoubleVector p7 = DoubleVector.broadcast(SPECIES, panels[pj + 7]);
            a70 = p7.fma(x0, a70);
            a71 = p7.fma(x1, a71);
            a72 = p7.fma(x2, a72);
        }
        int o0 = yAt + c * CHUNK + q;
        a00.intoArray(t, o0);
        a01.intoArray(t, o0 + 1 * LANES);
        a02.intoArray(t, o0 + 2 * LANES);
        int o1 = yAt + (c + 1) * CHUNK + q;
        a10.intoArray(t, o1);
        a11.intoArray(t, o1 + 1 * LANES);
        a12.intoArray(t, o1 + 2 * LANES);
        int o2 = yAt + (c + 2) * CHUNK + q;
        a20.intoArray(t, o2);
        a21.intoArray(t, o2 + 1 * LANES);
        a22.intoArray(t, o2 + 2 * LANES);
        int o3 = yAt + (c + 3) * CHUNK + q;
        a30.intoArray(t, o3);
        a31.intoArray(t, o3 + 1 * LANES);
        a32.intoArray(t, o3 + 2 * LANES);
        int o4 = yAt + (c + 4) * CHUNK + q;
        a40.intoArray(t, o4);
        a41.intoArray(t, o4 + 1 * LANES);
        a42.intoArray(t, o4 + 2 * LANES);
        int o5 = yAt + (c + 5) * CHUNK + q;
        a50.intoArray(t, o5);
        a51.intoArray(t, o5 + 1 * LANES);
        a52.intoArray(t, o5 + 2 * LANES);
        int o6 = yAt + (c + 6) * CHUNK + q;
        a60.intoArray(t, o6);
        a61.intoArray(t, o6 + 1 * LANES);
        a62.intoArray(t, o6 + 2 * LANES);
        int o7 = yAt + (c + 7) * CHUNK + q;
        a70.intoArray(t, o7);
        a71.intoArray(t, o7 + 1 * LANES);
        a72.intoArray(t, o7 + 2 * LANES);
    }

    /** {@code yT[c .. c+8) x [q, q + LANES)}, for rows left after the three-vector tiles. */
    private static void tile8x1(double[] panels, double[] b, int d, double[] t, int yAt, int c, int q) {
        DoubleVector a0 = DoubleVector.broadcast(SPECIES, b[c]);
        DoubleVector a1 = DoubleVector.broadcast(SPECIES, b[c + 1]);
        DoubleVector a2 = DoubleVector.broadcast(SPECIES, b[c + 2]);
        DoubleVector a3 = DoubleVector.broadcast(SPECIES, b[c + 3]);
        DoubleVector a4 = DoubleVector.broadcast(SPECIES, b[c + 4]);
        DoubleVector a5 = DoubleVector.broadcast(SPECIES, b[c + 5]);
        DoubleVector a6 = DoubleVector.broadcast(SPECIES, b[c + 6]);
        DoubleVector a7 = DoubleVector.broadcast(SPECIES, b[c + 7]);
        for (int j = 0; j < d; j++) {
            DoubleVector xj = DoubleVector.fromArray(SPECIES, t, j * CHUNK + q);
            int pj = c * d + j * 8;
            a0 = DoubleVector.broadcast(SPECIES, panels[pj]).fma(xj, a0);
            a1 = DoubleVector.broadcast(SPECIES, panels[pj + 1]).fma(xj, a1);
            a2 = DoubleVector.broadcast(SPECIES, panels[pj + 2]).fma(xj, a2);
            a3 = DoubleVector.broadcast(SPECIES, panels[pj + 3]).fma(xj, a3);
            a4 = DoubleVector.broadcast(SPECIES, panels[pj + 4]).fma(xj, a4);
            a5 = DoubleVector.broadcast(SPECIES, panels[pj + 5]).fma(xj, a5);
            a6 = DoubleVector.broadcast(SPECIES, panels[pj + 6]).fma(xj, a6);
            a7 = DoubleVector.broadcast(SPECIES, panels[pj + 7]).fma(xj, a7);
        }
        a0.intoArray(t, yAt + c * CHUNK + q);
        a1.intoArray(t, yAt + (c + 1) * CHUNK + q);
        a2.intoArray(t, yAt + (c + 2) * CHUNK + q);
        a3.intoArray(t, yAt + (c + 3) * CHUNK + q);
        a4.intoArray(t, yAt + (c + 4) * CHUNK + q);
        a5.intoArray(t, yAt + (c + 5) * CHUNK + q);
        a6.intoArray(t, yAt + (c + 6) * CHUNK + q);
        a7.intoArray(t, yAt + (c + 7) * CHUNK + q);
    }
}
