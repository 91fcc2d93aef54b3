package org.scorepipe.runtime.noise;

import java.util.Arrays;
import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Simd;

/**
 * The run's {@link Noise}: for every (particle, step) one Philox4x64-10 block keys a
 * xoshiro256++ generator, whose words feed that particle's normals and uniforms at that step.
 * Philox is keyed by {@code (seed, 0)}, with the 256-bit counter laid out as
 * <pre>
 *   word 0  0           (Commons RNG's convention: the block is computed from the counter + 1)
 *   word 1  particle    the particle's global index ({@link Noise#ENSEMBLE} for the ensemble)
 *   word 2  step        the step k within the stage
 *   word 3  stage, stream   (stage &lt;&lt; 32) | stream
 * </pre>
 * and its four output words are the xoshiro256++ state {@code (s0, s1, s2, s3)}. {@code stage} is
 * the stage's noise key: the number of stages before it that move particles (evaluate and save
 * stages, observers, are not counted). Draw {@code j} of a call is made from the generator's word
 * {@code w_j}:
 * <ul>
 *   <li>a uniform is {@code (w_j >>> 11) 2^-53};
 *   <li>a normal is Commons RNG's {@link ZigguratSampler.NormalizedGaussian} (McFarland's
 *   ziggurat, which keeps no state between samples) reading {@code w_j} and then, only if
 *   {@code w_j} is off the ziggurat's common path (its low byte is 253 or more: 3 words in 256),
 *   the words of its own Philox4x64 stream, keyed by {@code (seed, 2)}, counter
 *   {@code (j << 32, particle, step, stage << 32 | stream)}.
 * </ul>
 * So every number is a pure function of {@code (seed, stage, step, particle, stream, j)}, and normal
 * {@code j} takes exactly one word of the row: a row's normals can be computed in SIMD lanes without
 * one row's rare case shifting the words of the rest. The stage-level {@link #pathNormals} use the
 * keys {@code (seed, 1)} and {@code (seed, 3)} instead, with {@code node} (the caller's 64-bit node
 * name, a Brownian path's: the bits of a time) in counter word 2: a pure function of
 * {@code (seed, stage, particle, stream, node, j)}, whatever the step. Philox is a keyed bijection
 * of the counter, so the four keys' outputs are unrelated.
 *
 * <p>Why two generators: a Philox4x64 word costs 64 x 64 -&gt; 128-bit products, which SIMD units
 * build from four 32-bit ones, while a xoshiro256++ word (Blackman and Vigna 2021) is shifts,
 * rotations, XORs and two additions. One Philox block per row keeps the contract (any particle's
 * numbers, at any step, without the others'), and the words come at xoshiro's pace. A Philox block
 * is all zero for exactly one counter per key; that state, xoshiro's fixed point, is replaced by
 * {@link Xoshiro256PlusPlus#ZERO_STATE_STANDIN}.
 *
 * <p>{@link #normalRows} computes a block's rows together when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (see {@link #VECTORISED}): the rows' Philox blocks in
 * SIMD lanes ({@link PhiloxLanes}), then their words and the ziggurat's common path with one row per
 * lane ({@link NormalLanes}); the listed rare words go to Commons RNG's sampler as above. The numbers
 * are the row-by-row ones either way.
 *
 * <p>One instance per thread; {@link #position} moves it to another step without allocating.
 */
public final class PhiloxNoise implements Noise {
    /**
     * Written into checkpoints and the run's {@code config.yaml} ({@code run.noise}): a checkpoint
     * made with another generator cannot resume exactly. v3 draws a row's words from xoshiro256++
     * keyed by one Philox block, one word per normal; v2 drew every word from Philox; v1 keyed a
     * stage by its position, observers included.
     */
    public static final String GENERATOR = "philox4x64-10/xoshiro256pp/ziggurat-normalized-gaussian/v3";

    /**
     * Whether {@link #normalRows} uses SIMD lanes: the project's one switch, {@link Simd#ENABLED}.
     * Either way the numbers are the same; only the speed differs.
     */
    public static final boolean VECTORISED = Simd.ENABLED;

    /** Key word 1 of the step-keyed numbers ({@link #normals}, {@link #uniforms}). */
    static final long STEP_KEY = 0L;
    /** Key word 1 of the stage-level {@link #pathNormals}. */
    static final long PATH_KEY = 1L;
    /** Added to a key word 1 for the words of a normal off the ziggurat's common path. */
    static final long EDGE_KEY = 2L;

    /** Most rows computed together by {@link #normalRows}. */
    private static final int MAX_ROWS = 512;
    /** A batch's normals, at most (unless a row has more): 32 KiB, about a core's L1 data cache. */
    private static final int BATCH_BUDGET = 4096;
    /** The ziggurat's common path takes words whose low byte is below this (Commons RNG's {@code I_MAX}). */
    static final int ZIGGURAT_FAST = 253;
    /** Its layer abscissae, scaled to the word: the normal is {@code X[i] * word}. */
    static final double[] ZIGGURAT_X = zigguratLayers();

    private final long seed;
    private final Philox4x64 keys = new Philox4x64();
    private final Xoshiro256PlusPlus generator = new Xoshiro256PlusPlus();
    private final EdgeWords edgeWords = new EdgeWords();
    private final ZigguratSampler.NormalizedGaussian edgeSampler = ZigguratSampler.NormalizedGaussian.of(edgeWords);
    // normalRows' scratch, made on first use: the lanes' Philox counter words 0 and 1, the rows'
    // states (word w of row r at w * MAX_ROWS + r), their normals (normal q of row r at
    // q * rowsPerBatch + r), and the lanes.
    private long[] laneDraws;
    private long[] laneParticles;
    private long[] states;
    private double[] columns;
    private NormalLanes lanes;
    private int stage;
    private long step;

    public PhiloxNoise(long seed) {
        this.seed = seed;
    }

    /** A new instance at step {@code step} of stage {@code stage}. */
    public static PhiloxNoise of(long seed, int stage, long step) {
        PhiloxNoise noise = new PhiloxNoise(seed);
        noise.position(stage, step);
        return noise;
    }

    /** Moves to step {@code step} of stage {@code stage}. */
    public void position(int stage, long step) {
        if (stage < 0) {
            throw new IllegalArgumentException("stage index is negative: " + stage);
        }
        this.stage = stage;
        this.step = step;
    }

    public long seed() {
        return seed;
    }

    private long counter3(int stream) {
        return ((long) stage << 32) | (stream & 0xFFFFFFFFL);
    }

    /** Starts the row generator at the state Philox gives key {@code (seed, key)} and this counter. */
    private void start(long key, long particle, long counter2, long counter3) {
        keys.reset(seed, key, 0L, particle, counter2, counter3);
        generator.reset(keys.nextLong(), keys.nextLong(), keys.nextLong(), keys.nextLong());
    }

    /** {@code count} normals of a row, made of its generator's next words (see the class Javadoc). */
    private void normals(long key, long particle, long counter2, long counter3, double[] out, int offset, int count) {
        start(key, particle, counter2, counter3);
        for (int j = 0; j < count; j++) {
            long word = generator.nextLong();
            int layer = (int) word & 0xFF;
            out[offset + j] = layer < ZIGGURAT_FAST
                    ? ZIGGURAT_X[layer] * word
                    : edge(key, particle, counter2, counter3, j, word);
        }
    }

    /** Normal {@code draw} of a row whose word {@code word} is off the ziggurat's common path. */
    private double edge(long key, long particle, long counter2, long counter3, int draw, long word) {
        edgeWords.start(key + EDGE_KEY, (long) draw << 32, particle, counter2, counter3, word);
        return edgeSampler.sample();
    }

    @Override
    public void pathNormals(long particle, int stream, long node, double[] out, int offset, int count) {
        normals(PATH_KEY, particle, node, counter3(stream), out, offset, count);
    }

    @Override
    public void normals(long particle, int stream, double[] out, int offset, int count) {
        normals(STEP_KEY, particle, step, counter3(stream), out, offset, count);
    }

    @Override
    public void normalRows(long firstParticle, int rows, int stream, double[] out, int offset, int count) {
        if (!VECTORISED || count == 0) {
            Noise.super.normalRows(firstParticle, rows, stream, out, offset, count);
            return;
        }
        int width = NormalLanes.width();
        int rowsPerBatch = Math.min(MAX_ROWS, Math.max(width, BATCH_BUDGET / count / width * width));
        if (states == null) {
            laneDraws = new long[MAX_ROWS];
            Arrays.fill(laneDraws, 1L);  // Commons RNG's first block is computed from the counter + 1
            laneParticles = new long[MAX_ROWS];
            states = new long[4 * MAX_ROWS];
            lanes = new NormalLanes(ZIGGURAT_X);
        }
        if (columns == null || columns.length < rowsPerBatch * count) {
            columns = new double[Math.max(BATCH_BUDGET, rowsPerBatch * count)];
        }
        long counter3 = counter3(stream);
        for (int first = 0; first < rows; first += rowsPerBatch) {
            int batch = Math.min(rowsPerBatch, rows - first);
            long particle = firstParticle + first;
            for (int r = 0; r < batch; r++) {
                laneParticles[r] = particle + r;
            }
            PhiloxLanes.blocks(seed, STEP_KEY, laneDraws, laneParticles, step, counter3, batch, states, MAX_ROWS);
            int off = lanes.normals(states, MAX_ROWS, batch, count, columns, rowsPerBatch);
            for (int e = 0; e < off; e++) {
                int at = lanes.offIndex[e];
                columns[at] = edge(STEP_KEY, particle + at % rowsPerBatch, step, counter3, at / rowsPerBatch, lanes.offWord[e]);
            }
            // Column-major lanes to row-major rows.
            for (int r = 0, o = offset + first * count; r < batch; r++, o += count) {
                for (int q = 0, c = r; q < count; q++, c += rowsPerBatch) {
                    out[o + q] = columns[c];
                }
            }
        }
    }

    /**
     * The words Commons RNG's sampler reads for a normal off the common path: the row's word, then
     * the normal's own Philox stream.
     */
    private final class EdgeWords implements UniformRandomProvider {
        private final Philox4x64 philox = new Philox4x64();
        private long first;
        private boolean firstRead;

        void start(long key, long counter0, long particle, long counter2, long counter3, long word) {
            philox.reset(seed, key, counter0, particle, counter2, counter3);
            first = word;
            firstRead = false;
        }

        @Override
        public long nextLong() {
            if (!firstRead) {
                firstRead = true;
                return first;
            }
            return philox.nextLong();
        }
    }

    /**
     * Commons RNG's layer table, read through its public sampler: for a word {@code 2^62 + i}
     * (whose conversion to double is exactly {@code 2^62}) its common path returns
     * {@code X[i] * 2^62}, an exact scaling.
     */
    private static double[] zigguratLayers() {
        long[] word = new long[1];
        UniformRandomProvider feed = () -> word[0];
        ZigguratSampler.NormalizedGaussian sampler = ZigguratSampler.NormalizedGaussian.of(feed);
        double[] x = new double[ZIGGURAT_FAST];
        for (int i = 0; i < ZIGGURAT_FAST; i++) {
            word[0] = (1L << 62) | i;
            x[i] = sampler.sample() * 0x1.0p-62;
        }
        return x;
    }

    /**
     * The raw 64-bit words of a row at this step, {@code w_0 ..}, that its uniforms and normals are
     * made of (see the class Javadoc): for statistical batteries of the stream itself.
     */
    public void words(long particle, int stream, long[] out, int offset, int count) {
        start(STEP_KEY, particle, step, counter3(stream));
        for (int j = offset, end = offset + count; j < end; j++) {
            out[j] = generator.nextLong();
        }
    }

    @Override
    public void uniforms(long particle, int stream, double[] out, int offset, int count) {
        start(STEP_KEY, particle, step, counter3(stream));
        for (int j = offset, end = offset + count; j < end; j++) {
            out[j] = (generator.nextLong() >>> 11) * 0x1.0p-53;
        }
    }

    @Override
    public Noise streams(int first) {
        return first == 0 ? this : new Shifted(this, first);
    }

    /** A view of another noise with its streams shifted. */
    private record Shifted(Noise base, int first) implements Noise {
        @Override
        public void normals(long particle, int stream, double[] out, int offset, int count) {
            base.normals(particle, first + stream, out, offset, count);
        }

        @Override
        public void normalRows(long firstParticle, int rows, int stream, double[] out, int offset, int count) {
            base.normalRows(firstParticle, rows, first + stream, out, offset, count);
        }

        @Override
        public void uniforms(long particle, int stream, double[] out, int offset, int count) {
            base.uniforms(particle, first + stream, out, offset, count);
        }

        @Override
        public void pathNormals(long particle, int stream, long node, double[] out, int offset, int count) {
            base.pathNormals(particle, first + stream, node, out, offset, count);
        }

        @Override
        public Noise streams(int more) {
            return more == 0 ? this : new Shifted(base, first + more);
        }
    }
}
