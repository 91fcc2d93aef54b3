package org.scorepipe.onnx;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.scorepipe.api.Simd;

/**
 * The forward pass of {@link MlpWeights}' network in float32 SIMD lanes, on a block of points at
 * one time, for the learned score when the ONNX model is that network ({@link MlpGraph}): the same
 * arithmetic as the ONNX graph, without the fixed cost of a call into ONNX Runtime.
 *
 * <p>The points go through in chunks of {@link #CHUNK}, transposed so that each feature of the
 * chunk's points is a contiguous row ({@code h[i * CHUNK + q]}, point {@code q} in a lane). A
 * layer {@code z = W h + b} is then a small matrix product computed in register tiles of
 * {@link #OUTPUTS} output units by 2 vectors of points: the accumulators start at the bias, and
 * for each input {@code i} take {@code z[o] += W[o, i] * h[i]} as fused multiply-adds of a
 * broadcast weight and a vector of points (the weights are packed so that a tile's are
 * contiguous); the activation is a pass over the layer's rows after. This is the register-blocked
 * micro-kernel of Goto and van de Geijn ("Anatomy of high-performance matrix multiplication",
 * ACM TOMS 34(3), 2008), with the chunk as the cache block and no further packing of {@code h}. The time features {@code t} and {@code log t} are the same for every point of a call, so
 * the first layer's bias absorbs them: {@code b'_o = b_o + W[o, d] t + W[o, d + 1] log t}.
 *
 * <p>Rounding: each output is a float32 sum in another order than ONNX Runtime's, and the
 * activations are {@link Activations}' (within a few ulps, and the same bits whether the JIT has
 * compiled the pass or not: a run's bytes never depend on its timing), so the result differs from the ONNX graph's by a few ulps of the sum of the magnitudes of each sum's
 * terms ({@code VectorMlpTest}). Only loaded when {@link Simd#ENABLED}; one instance serves every
 * thread (the scratch rows are per thread).
 */
final class VectorMlp {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();
    /**
     * Output units per register tile: 8 with 512-bit vectors (AVX-512 has 32 registers: 16
     * accumulators, 2 vectors of points, a weight), else 4 (AVX2's 16 registers hold 8 accumulators).
     * Measured on AVX-512, 4-128-128-2 at 4k points: 8 units by 2 vectors ran about 20% faster than
     * 4 by 2, and chunks of 64 points about as fast as 32, faster than 128 or 256.
     */
    static final int OUTPUTS = LANES >= 16 ? 8 : 4;
    /** Points per register tile: 2 vectors. */
    static final int TILE = 2 * LANES;
    /** Points per chunk: the scratch rows of one layer ({@code width * CHUNK} floats) stay in the L1/L2 cache. */
    static final int CHUNK = Math.max(TILE, 64 / TILE * TILE);

    private final int d;
    private final boolean silu;
    private final int layers;
    private final int[] in;
    private final int[] out;
    /**
     * Each layer's weights in tiles of {@link #OUTPUTS} units, input by input:
     * {@code packed[l][(g * in + i) * OUTPUTS + k] = W_l[g * OUTPUTS + k, i]} for the full groups
     * {@code g}, then the remaining units row by row, {@code W_l[o, i]} at {@code full * in + (o - full) * in + i}.
     */
    private final float[][] packed;
    private final float[][] bias;
    /** The first layer's weights of the {@code t} and {@code log t} features. */
    private final float[] timeWeight;
    private final float[] logTimeWeight;
    private final int widest;
    private final ThreadLocal<float[][]> scratch;

    VectorMlp(MlpWeights weights) {
        this.d = weights.dimension();
        this.silu = weights.activation() == MlpWeights.Activation.SILU;
        this.layers = weights.layers().size();
        this.in = new int[layers];
        this.out = new int[layers];
        this.packed = new float[layers][];
        this.bias = new float[layers][];
        int wide = d;
        for (int l = 0; l < layers; l++) {
            MlpWeights.Layer layer = weights.layers().get(l);
            // the first layer's time features are folded into its bias: it reads the d coordinates only
            int inputs = l == 0 ? d : layer.in();
            in[l] = inputs;
            out[l] = layer.out();
            bias[l] = layer.bias().clone();
            float[] p = new float[layer.out() * inputs];
            int full = layer.out() / OUTPUTS * OUTPUTS;
            for (int o = 0; o < layer.out(); o++) {
                for (int i = 0; i < inputs; i++) {
                    float w = layer.weight()[o * layer.in() + i];
                    if (o < full) {
                        p[((o / OUTPUTS) * inputs + i) * OUTPUTS + o % OUTPUTS] = w;
                    } else {
                        p[o * inputs + i] = w;
                    }
                }
            }
            packed[l] = p;
            wide = Math.max(wide, layer.out());
        }
        MlpWeights.Layer first = weights.layers().get(0);
        this.timeWeight = new float[first.out()];
        this.logTimeWeight = new float[first.out()];
        for (int o = 0; o < first.out(); o++) {
            timeWeight[o] = first.weight()[o * first.in() + d];
            logTimeWeight[o] = first.weight()[o * first.in() + d + 1];
        }
        this.widest = wide;
        this.scratch = ThreadLocal.withInitial(() -> new float[][] {
                new float[widest * CHUNK], new float[widest * CHUNK], new float[first.out()]});
    }

    /**
     * The network's output at the points {@code scale * x[offset + r*d ..]}, {@code r < rows}, and
     * time {@code t}, both rounded to float32 as the model's inputs are, into {@code y[r*d ..]}.
     */
    void forward(double[] x, int offset, int rows, double scale, double t, double[] y) {
        float[][] s = scratch.get();
        float[] a = s[0];
        float[] b = s[1];
        float[] firstBias = s[2];
        float tf = (float) t;
        float logT = (float) Math.log(tf);
        for (int o = 0; o < firstBias.length; o++) {
            firstBias[o] = Math.fma(logTimeWeight[o], logT, Math.fma(timeWeight[o], tf, bias[0][o]));
        }
        for (int start = 0; start < rows; start += CHUNK) {
            int n = Math.min(CHUNK, rows - start);
            int padded = (n + TILE - 1) / TILE * TILE;
            int base = offset + start * d;
            for (int q = 0; q < n; q++) {
                for (int i = 0; i < d; i++) {
                    a[i * CHUNK + q] = (float) (scale * x[base + q * d + i]);
                }
            }
            for (int i = 0; i < d; i++) {
                java.util.Arrays.fill(a, i * CHUNK + n, i * CHUNK + padded, 0f);
            }
            float[] h = a;
            float[] next = b;
            for (int l = 0; l < layers; l++) {
                layer(l, l == 0 ? firstBias : bias[l], l < layers - 1, h, next, padded);
                float[] swap = h;
                h = next;
                next = swap;
            }
            int o = start * d;
            for (int q = 0; q < n; q++) {
                for (int j = 0; j < d; j++) {
                    y[o + q * d + j] = h[j * CHUNK + q];
                }
            }
        }
    }

    /** {@code z = act(W_l h + b)} for the first {@code padded} points (a multiple of {@link #TILE}) of the chunk. */
    private void layer(int l, float[] b, boolean hidden, float[] h, float[] z, int padded) {
        int full = out[l] / OUTPUTS * OUTPUTS;
        if (OUTPUTS == 8) {
            tiles8(packed[l], b, in[l], full, h, z, padded);
        } else {
            tiles4(packed[l], b, in[l], full, h, z, padded);
        }
        rest(packed[l], b, in[l], full, out[l], h, z, padded);
        if (hidden) {
            // a pass of its own: inside the tiles' loop the activation is not inlined, and its vectors are boxed
            for (int o = 0; o < out[l]; o++) {
                for (int q = o * CHUNK; q < o * CHUNK + padded; q += LANES) {
                    activate(FloatVector.fromArray(SPECIES, z, q)).intoArray(z, q);
                }
            }
        }
    }

    /** The full groups of 8 output units, in tiles of 8 units by 2 vectors of points (16 accumulators). */
    private static void tiles8(float[] w, float[] b, int inputs, int full, float[] h, float[] z, int padded) {
        for (int o = 0; o < full; o += 8) {
            int wg = o * inputs;
            for (int q = 0; q < padded; q += TILE) {
                FloatVector z00 = FloatVector.broadcast(SPECIES, b[o]);
                FloatVector z01 = z00;
                FloatVector z10 = FloatVector.broadcast(SPECIES, b[o + 1]);
                FloatVector z11 = z10;
                FloatVector z20 = FloatVector.broadcast(SPECIES, b[o + 2]);
                FloatVector z21 = z20;
                FloatVector z30 = FloatVector.broadcast(SPECIES, b[o + 3]);
                FloatVector z31 = z30;
                FloatVector z40 = FloatVector.broadcast(SPECIES, b[o + 4]);
                FloatVector z41 = z40;
                FloatVector z50 = FloatVector.broadcast(SPECIES, b[o + 5]);
                FloatVector z51 = z50;
                FloatVector z60 = FloatVector.broadcast(SPECIES, b[o + 6]);
                FloatVector z61 = z60;
                FloatVector z70 = FloatVector.broadcast(SPECIES, b[o + 7]);
                FloatVector z71 = z70;
                for (int i = 0; i < inputs; i++) {
                    FloatVector h0 = FloatVector.fromArray(SPECIES, h, i * CHUNK + q);
                    FloatVector h1 = FloatVector.fromArray(SPECIES, h, i * CHUNK + q + LANES);
                    int k = wg + i * 8;
                    FloatVector w0 = FloatVector.broadcast(SPECIES, w[k]);
                    z00 = h0.fma(w0, z00);
                    z01 = h1.fma(w0, z01);
                    FloatVector w1 = FloatVector.broadcast(SPECIES, w[k + 1]);
                    z10 = h0.fma(w1, z10);
                    z11 = h1.fma(w1, z11);
                    FloatVector w2 = FloatVector.broadcast(SPECIES, w[k + 2]);
                    z20 = h0.fma(w2, z20);
                    z21 = h1.fma(w2, z21);
                    FloatVector w3 = FloatVector.broadcast(SPECIES, w[k + 3]);
                    z30 = h0.fma(w3, z30);
                    z31 = h1.fma(w3, z31);
                    FloatVector w4 = FloatVector.broadcast(SPECIES, w[k + 4]);
                    z40 = h0.fma(w4, z40);
                    z41 = h1.fma(w4, z41);
                    FloatVector w5 = FloatVector.broadcast(SPECIES, w[k + 5]);
                    z50 = h0.fma(w5, z50);
                    z51 = h1.fma(w5, z51);
                    FloatVector w6 = FloatVector.broadcast(SPECIES, w[k + 6]);
                    z60 = h0.fma(w6, z60);
                    z61 = h1.fma(w6, z61);
                    FloatVector w7 = FloatVector.broadcast(SPECIES, w[k + 7]);
                    z70 = h0.fma(w7, z70);
                    z71 = h1.fma(w7, z71);
                }
                int at = o * CHUNK + q;
                z00.intoArray(z, at);
                z01.intoArray(z, at + LANES);
                z10.intoArray(z, at + CHUNK);
                z11.intoArray(z, at + CHUNK + LANES);
                z20.intoArray(z, at + 2 * CHUNK);
                z21.intoArray(z, at + 2 * CHUNK + LANES);
                z30.intoArray(z, at + 3 * CHUNK);
                z31.intoArray(z, at + 3 * CHUNK + LANES);
                z40.intoArray(z, at + 4 * CHUNK);
                z41.intoArray(z, at + 4 * CHUNK + LANES);
                z50.intoArray(z, at + 5 * CHUNK);
                z51.intoArray(z, at + 5 * CHUNK + LANES);
                z60.intoArray(z, at + 6 * CHUNK);
                z61.intoArray(z, at + 6 * CHUNK + LANES);
                z70.intoArray(z, at + 7 * CHUNK);
                z71.intoArray(z, at + 7 * CHUNK + LANES);
            }
        }
    }

    /** The full groups of 4 output units, in tiles of 4 units by 2 vectors of points (8 accumulators). */
    private static void tiles4(float[] w, float[] b, int inputs, int full, float[] h, float[] z, int padded) {
        for (int o = 0; o < full; o += 4) {
            int wg = o * inputs;
            for (int q = 0; q < padded; q += TILE) {
                FloatVector z00 = FloatVector.broadcast(SPECIES, b[o]);
                FloatVector z01 = z00;
                FloatVector z10 = FloatVector.broadcast(SPECIES, b[o + 1]);
                FloatVector z11 = z10;
                FloatVector z20 = FloatVector.broadcast(SPECIES, b[o + 2]);
                FloatVector z21 = z20;
                FloatVector z30 = FloatVector.broadcast(SPECIES, b[o + 3]);
                FloatVector z31 = z30;
                for (int i = 0; i < inputs; i++) {
                    FloatVector h0 = FloatVector.fromArray(SPECIES, h, i * CHUNK + q);
                    FloatVector h1 = FloatVector.fromArray(SPECIES, h, i * CHUNK + q + LANES);
                    int k = wg + i * 4;
                    FloatVector w0 = FloatVector.broadcast(SPECIES, w[k]);
                    z00 = h0.fma(w0, z00);
                    z01 = h1.fma(w0, z01);
                    FloatVector w1 = FloatVector.broadcast(SPECIES, w[k + 1]);
                    z10 = h0.fma(w1, z10);
                    z11 = h1.fma(w1, z11);
                    FloatVector w2 = FloatVector.broadcast(SPECIES, w[k + 2]);
                    z20 = h0.fma(w2, z20);
                    z21 = h1.fma(w2, z21);
                    FloatVector w3 = FloatVector.broadcast(SPECIES, w[k + 3]);
                    z30 = h0.fma(w3, z30);
                    z31 = h1.fma(w3, z31);
                }
                int at = o * CHUNK + q;
                z00.intoArray(z, at);
                z01.intoArray(z, at + LANES);
                z10.intoArray(z, at + CHUNK);
                z11.intoArray(z, at + CHUNK + LANES);
                z20.intoArray(z, at + 2 * CHUNK);
                z21.intoArray(z, at + 2 * CHUNK + LANES);
                z30.intoArray(z, at + 3 * CHUNK);
                z31.intoArray(z, at + 3 * CHUNK + LANES);
            }
        }
    }

    /** The units {@code full <= o < outputs} left over from the groups, one at a time (the last layer's d, for d < 8). */
    private static void rest(float[] w, float[] b, int inputs, int full, int outputs, float[] h, float[] z, int padded) {
        for (int o = full; o < outputs; o++) {
            int wr = o * inputs;
            for (int q = 0; q < padded; q += TILE) {
                FloatVector z0 = FloatVector.broadcast(SPECIES, b[o]);
                FloatVector z1 = z0;
                for (int i = 0; i < inputs; i++) {
                    FloatVector wi = FloatVector.broadcast(SPECIES, w[wr + i]);
                    z0 = FloatVector.fromArray(SPECIES, h, i * CHUNK + q).fma(wi, z0);
                    z1 = FloatVector.fromArray(SPECIES, h, i * CHUNK + q + LANES).fma(wi, z1);
                }
                z0.intoArray(z, o * CHUNK + q);
                z1.intoArray(z, o * CHUNK + q + LANES);
            }
        }
    }

    /** SiLU {@code z / (1 + e^{-z})} or {@code tanh z}, the same bits compiled or not ({@link Activations}). */
    private FloatVector activate(FloatVector v) {
        return silu ? Activations.silu(v) : Activations.tanh(v);
    }
}
