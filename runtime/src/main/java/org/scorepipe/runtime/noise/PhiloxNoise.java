package org.scorepipe.runtime.noise;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.ZigguratSampler;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Simd;

/**
 * The run's {@link Noise}: Philox4x64 keyed by {@code (seed, 0)}, with the 256-bit counter
 * laid out as
 * <pre>
 *   word 0  draw        incremented by the generator, starting at 0 for every call
 *   word 1  particle    the particle's global index ({@link Noise#ENSEMBLE} for the ensemble)
 *   word 2  step        the step k within the stage
 *   word 3  stage, stream   (stage &lt;&lt; 32) | stream
 * </pre>
 * where {@code stage} is the stage's noise key: the number of stages before it that move
 * particles (evaluate and save stages, observers, are not counted).
 * so every number drawn is a pure function of {@code (seed, stage, step, particle, stream)}.
 * The stage-level {@link #pathNormals} use the key {@code (seed, 1)} instead, with the counter
 * <pre>
 *   word 0  draw        as above
 *   word 1  particle    as above
 *   word 2  node        the caller's 64-bit node name (a Brownian path's: the bits of a time)
 *   word 3  stage, stream   (stage &lt;&lt; 32) | stream
 * </pre>
 * a pure function of {@code (seed, stage, particle, stream, node)}, whatever the step. Philox is
 * a keyed bijection of the counter, so the two keys' outputs are unrelated sequences and the
 * step-keyed numbers are exactly those of a build without path normals: adding them changed none
 * of the numbers a run drew before.
 * Normal variates come from Commons RNG's {@link ZigguratSampler.NormalizedGaussian}, which
 * keeps no state between samples (Box-Muller's cached second value would break the rule).
 *
 * <p>{@link #normalRows} computes a block's Philox words in SIMD lanes ({@link PhiloxLanes}) when the
 * JVM runs with {@code --add-modules jdk.incubator.vector} (see {@link #VECTORISED}), and feeds them to
 * the ziggurat's common path, {@code X[i] * word} for the word's low byte {@code i < 253}, with the
 * table {@code X} read out of Commons RNG's own sampler, a vector of words at a time
 * ({@link ZigguratLanes}); the rare word outside it (3 in 256) goes to
 * that sampler itself, reading the row's words from where the common path stopped and on into the
 * scalar generator if it needs more than were computed. The numbers are the row-by-row ones
 * either way.
 *
 * <p>One instance per thread; {@link #position} moves it to another step without allocating.
 */
public final class PhiloxNoise implements Noise {
    /**
     * Written into checkpoints: a checkpoint made with another generator cannot resume exactly.
     * v2 keys a stage by the moving stages before it; v1 keyed it by its position, observers included.
     */
    public static final String GENERATOR = "philox4x64-10/ziggurat-normalized-gaussian/v2";

    /**
     * Whether {@link #normalRows} uses SIMD lanes: the project's one switch, {@link Simd#ENABLED}.
     * Either way the numbers are the same; only the speed differs.
     */
    public static final boolean VECTORISED = Simd.ENABLED;

    /** Philox blocks computed together by {@link #normalRows}: 16 KiB of words per batch. */
    private static final int LANES = 512;
    /** The ziggurat's common path takes words whose low byte is below this (Commons RNG's {@code I_MAX}). */
    static final int ZIGGURAT_FAST = 253;
    /** Its layer abscissae, scaled to the word: the normal is {@code X[i] * word}. */
    static final double[] ZIGGURAT_X = zigguratLayers();

    private final long seed;
    private final Philox4x64 generator = new Philox4x64();
    private final ZigguratSampler.NormalizedGaussian gaussian = ZigguratSampler.NormalizedGaussian.of(generator);
    // normalRows' scratch, made on first use: the lanes' counter words 0 and 1, the words out
    // (word w of lane f at w * LANES + f), and the ziggurat over them.
    private long[] laneDraws;
    private long[] laneParticles;
    private long[] words;
    private ZigguratLanes ziggurat;
    private RowWords rowWords;
    private ZigguratSampler.NormalizedGaussian rowGaussian;
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

    /** Key word 1 of the step-keyed numbers ({@link #normals}, {@link #uniforms}). */
    static final long STEP_KEY = 0L;
    /** Key word 1 of the stage-level {@link #pathNormals}. */
    static final long PATH_KEY = 1L;

    private void start(long particle, int stream) {
        generator.reset(seed, STEP_KEY, 0L, particle, step, ((long) stage << 32) | (stream & 0xFFFFFFFFL));
    }

    @Override
    public void pathNormals(long particle, int stream, long node, double[] out, int offset, int count) {
        generator.reset(seed, PATH_KEY, 0L, particle, node, ((long) stage << 32) | (stream & 0xFFFFFFFFL));
        generator.prepare(count);
        for (int j = offset, end = offset + count; j < end; j++) {
            out[j] = gaussian.sample();
        }
    }

    @Override
    public void normals(long particle, int stream, double[] out, int offset, int count) {
        start(particle, stream);
        // The ziggurat takes one word per normal, rarely more: have the words computed in bulk.
        generator.prepare(count);
        for (int j = offset, end = offset + count; j < end; j++) {
            out[j] = gaussian.sample();
        }
    }

    @Override
    public void normalRows(long firstParticle, int rows, int stream, double[] out, int offset, int count) {
        // A row's words, plus about 3% to spare: a word off the ziggurat's common path (3 in 256)
        // takes one or two more, and a row that runs out finishes on the slower scalar generator.
        int blocksPerRow = (count + count / 32 + 3) >>> 2;
        if (!VECTORISED || count == 0 || blocksPerRow > LANES) {
            Noise.super.normalRows(firstParticle, rows, stream, out, offset, count);
            return;
        }
        if (words == null) {
            laneDraws = new long[LANES];
            laneParticles = new long[LANES];
            words = new long[4 * LANES];
            ziggurat = new ZigguratLanes(words, LANES, ZIGGURAT_X);
            rowWords = new RowWords();
            rowGaussian = ZigguratSampler.NormalizedGaussian.of(rowWords);
        }
        long counter3 = ((long) stage << 32) | (stream & 0xFFFFFFFFL);
        int rowsPerBatch = LANES / blocksPerRow;
        for (int first = 0; first < rows; first += rowsPerBatch) {
            int batch = Math.min(rowsPerBatch, rows - first);
            // Lane r * blocksPerRow + b: block b of particle first + r, computed from the draw
            // counter b + 1 (the generator increments its counter before each block).
            for (int r = 0, f = 0; r < batch; r++) {
                long particle = firstParticle + first + r;
                for (int b = 0; b < blocksPerRow; b++, f++) {
                    laneDraws[f] = b + 1;
                    laneParticles[f] = particle;
                }
            }
            PhiloxLanes.blocks(seed, STEP_KEY, laneDraws, laneParticles, step, counter3, batch * blocksPerRow, words, LANES);
            int available = 4 * blocksPerRow;
            rowWords.batch(firstParticle + first, stream, blocksPerRow, available);
            ziggurat.rows(batch, blocksPerRow, available, count, out, offset + first * count, rowWords);
        }
    }

    /**
     * One row's words for Commons RNG's sampler, from word {@code next} on: the words computed in
     * the lanes while they last, then the scalar generator moved to the same place. It is the
     * {@link ZigguratLanes.Edge} of a batch of rows: a normal whose word is off the ziggurat's common
     * path comes from Commons RNG's sampler reading these words.
     */
    private final class RowWords implements UniformRandomProvider, ZigguratLanes.Edge {
        private long firstParticle;
        private int stream;
        private int blocksPerRow;
        private int available;
        private long particle;
        private int lane;
        private int next;
        private boolean scalar;

        void batch(long firstParticle, int stream, int blocksPerRow, int available) {
            this.firstParticle = firstParticle;
            this.stream = stream;
            this.blocksPerRow = blocksPerRow;
            this.available = available;
        }

        @Override
        public int normal(int row, int next, double[] out, int index) {
            this.particle = firstParticle + row;
            this.lane = row * blocksPerRow;
            this.next = next;
            this.scalar = false;
            out[index] = rowGaussian.sample();
            return this.next;
        }

        @Override
        public long nextLong() {
            int q = next++;
            if (q < available) {
                return ziggurat.word(lane, q);
            }
            if (!scalar) {
                PhiloxNoise.this.start(particle, stream);
                generator.skip(q);
                scalar = true;
            }
            return generator.nextLong();
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

    @Override
    public void uniforms(long particle, int stream, double[] out, int offset, int count) {
        start(particle, stream);
        generator.prepare(count);
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
