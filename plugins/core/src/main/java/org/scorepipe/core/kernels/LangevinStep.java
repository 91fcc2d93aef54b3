package org.scorepipe.core.kernels;

import org.scorepipe.api.Block;
import org.scorepipe.api.Noise;
import org.scorepipe.api.ScoreProvider;

/**
 * The one Langevin-family step of every corrector and stage that takes one (the {@code langevin},
 * {@code annealed-langevin} and {@code mala} correctors, the {@code anneal} and
 * {@code chained-langevin} stages):
 * <pre>
 *   x  &lt;-  x + h s(x, t) + sqrt(2 h) xi,    xi ~ N(0, I)
 * </pre>
 * the Euler-Maruyama step of the Langevin diffusion {@code dX = grad log p_t(X) dt + sqrt(2) dB}
 * (Roberts &amp; Tweedie, Bernoulli 1996), on the coordinates {@code [from, from + width)} of every
 * row of a block (all of them, or one patch of chained Langevin). The block is taken
 * {@value #TILE} rows at a time: the tile's score, then its noise in one
 * {@link Noise#normalRows} call (the run's noise computes a tile's normals in SIMD lanes, the same
 * numbers as row by row), then the update, so score and noise ({@code 2 x TILE x width} doubles)
 * stay in cache. A row's move depends on its own coordinates and noise only, so the tiling changes
 * no bit.
 *
 * <p>The step size is one {@code h} for the block, or a {@link RowStep} rule giving each row its own
 * {@code h} from its score and noise (the signal-to-noise rule of Song et al. 2021). MALA's proposal
 * {@code y = x + h s + sqrt(2h) xi} into another array is {@link #propose}. The two sums are
 * rounded as they always were: the in-place step adds {@code h s + sqrt(2h) xi} to {@code x}, the
 * proposal adds {@code h s}, then {@code sqrt(2h) xi}, so every corrector keeps its samples to the
 * last bit.
 */
public final class LangevinStep {
    /** Rows scored and moved together: their score and noise (2 x 256 x width doubles) stay in cache. */
    public static final int TILE = 256;

    private LangevinStep() {
    }

    /** The score of a tile of rows, on the coordinates being moved. */
    @FunctionalInterface
    public interface TileScore {
        /**
         * Writes the score of coordinates {@code [from, to)} of the {@code rows} rows of
         * {@code d = x's row length} coordinates at {@code x[offset ..]} into
         * {@code out[0, rows * (to - from))}, row by row.
         */
        void score(double[] x, int offset, int rows, int from, int to, double t, double[] out);

        /** The full score {@link ScoreProvider#score} (then {@code [from, to)} is every coordinate). */
        static TileScore of(ScoreProvider score) {
            return (x, offset, rows, from, to, t, out) -> score.score(x, offset, rows, t, out);
        }
    }

    /** A step size per row, from the row's score and noise. */
    @FunctionalInterface
    public interface RowStep {
        /** {@code h} of the row whose score is {@code tile[score, score + width)} and noise {@code tile[noise, noise + width)}. */
        double step(double[] tile, int score, int noise, int width);
    }

    /** The workspace {@link #step} needs for a block of {@code rows} rows moving {@code width} coordinates. */
    public static int workspace(int rows, int width) {
        return 2 * Math.min(TILE, rows) * width;
    }

    /**
     * One step {@code x += h s(x, t) + sqrt(2h) xi} of coordinates {@code [from, from + width)} of
     * every row of the block, {@code xi} the normals of the row's particle from {@code stream};
     * {@code work} holds at least {@link #workspace} doubles.
     */
    public static void step(Block block, int from, int width, double t, TileScore score, double h, Noise noise,
            int stream, double[] work) {
        run(block, from, width, t, score, h, null, noise, stream, work);
    }

    /** {@link #step} with each row's {@code h} from {@code rule}. */
    public static void step(Block block, int from, int width, double t, TileScore score, RowStep rule, Noise noise,
            int stream, double[] work) {
        run(block, from, width, t, score, 0.0, rule, noise, stream, work);
    }

    private static void run(Block block, int from, int width, double t, TileScore score, double h, RowStep rule,
            Noise noise, int stream, double[] work) {
        int d = block.dimension();
        int n = block.size();
        double[] x = block.data();
        int tile = Math.min(TILE, n);
        // [0, tile*width): the score of a tile's rows; [tile*width, 2*tile*width): their noise.
        int noiseAt = tile * width;
        double noiseScale = Math.sqrt(2.0 * h);
        for (int first = 0; first < n; first += tile) {
            int rows = Math.min(tile, n - first);
            int o = block.offset() + first * d;
            score.score(x, o, rows, from, from + width, t, work);
            noise.normalRows(block.particleIndex(first), rows, stream, work, noiseAt, width);
            if (rule != null) {
                for (int r = 0; r < rows; r++) {
                    int so = r * width;
                    double rowH = rule.step(work, so, noiseAt + so, width);
                    update(x, o + r * d + from, work, so, noiseAt + so, width, rowH, Math.sqrt(2.0 * rowH));
                }
            } else if (width == d) {
                update(x, o, work, 0, noiseAt, rows * d, h, noiseScale);
            } else {
                for (int r = 0; r < rows; r++) {
                    update(x, o + r * d + from, work, r * width, noiseAt + r * width, width, h, noiseScale);
                }
            }
        }
    }

    /** {@code x[xo + c] += h s[so + c] + noiseScale xi[no + c]} for {@code c < count}: the step's one pass. */
    private static void update(double[] x, int xo, double[] work, int so, int no, int count, double h,
            double noiseScale) {
        for (int c = 0; c < count; c++) {
            x[xo + c] += h * work[so + c] + noiseScale * work[no + c];
        }
    }

    /**
     * The Langevin proposal {@code y = x + h s + sqrt(2h) xi} of {@code count} consecutive
     * coordinates (MALA's), {@code s} at {@code s[so ..]} and {@code xi} at {@code xi[no ..]}, into
     * {@code y[yo ..]}.
     */
    public static void propose(double[] x, int xo, double[] s, int so, double[] xi, int no, double[] y, int yo,
            int count, double h) {
        double noiseScale = Math.sqrt(2.0 * h);
        for (int c = 0; c < count; c++) {
            y[yo + c] = x[xo + c] + h * s[so + c] + noiseScale * xi[no + c];
        }
    }
}
