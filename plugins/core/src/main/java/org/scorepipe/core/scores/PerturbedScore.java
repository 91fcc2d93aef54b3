package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;

/**
 * The wrapped score plus an error of a chosen {@code L^2} size {@code epsilon}: a stand-in for a
 * learned score that is only {@code L^2}-accurate, {@code E_{p_t} |s~(X, t) - grad log p_t(X)|^2
 * <= epsilon^2}, the assumption of Lee, Lu, Tan, "Convergence for score-based generative modeling
 * with polynomial complexity" (NeurIPS 2022), and of Chen et al., "Sampling is as easy as
 * learning the score" (2023).
 * <pre>
 *   s~(x, t) = s(x, t) + epsilon e(x, t)
 *   mode: bias    e(x, t) = u                          a fixed unit vector
 *   mode: noise   e(x, t) = z(x, t) / sqrt(d),         z(x, t) ~ N(0, I) a deterministic hash of (seed, t, x)
 * </pre>
 * {@code u} is {@code direction / |direction|}, or when no direction is given the direction of
 * {@code d} normals drawn from the pipeline's seed. In the noise mode {@code z} is a pure function
 * of the bits of {@code t} and of every coordinate of {@code x} (a {@link HashNoise} key), so the
 * perturbed score is a fixed, if rough, function of {@code (x, t)}, as an estimate is; its error
 * has {@code E|e|^2 = 1}, so the {@code L^2(p_t)} error is {@code epsilon} in expectation over the
 * hash, exactly {@code epsilon} in the bias mode. Neither mode has a log density.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "perturbed",
        doc = "Adds an error of L2 size epsilon to the wrapped score: a fixed unit direction (bias) or a"
                + " deterministic hash of (x, t) -> N(0, I/d) (noise); Lee, Lu, Tan.")
public final class PerturbedScore implements ScoreProvider {

    /** Domain of {@link HashNoise} for the default bias direction. */
    static final long DIRECTION_DOMAIN = 0x6469726563746EL;
    /** Domain mixed into the noise mode's per-point key. */
    static final long NOISE_DOMAIN = 0x706572747572624EL;

    /** The shape of the error. */
    public enum Mode {
        /** {@code epsilon u}, the same vector everywhere. */
        BIAS,
        /** {@code epsilon z(x, t) / sqrt(d)}, a deterministic pseudo-random vector per point and time. */
        NOISE
    }

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("epsilon >= 0, the L2 size of the error") double epsilon,
            @Doc("bias (a fixed direction) or noise (a hash of (x, t) -> N(0, I/d))") @Default("bias") Mode mode,
            @Doc("the bias direction, d values (normalised); empty = a random unit vector from the seed")
            @Default("") double[] direction) {
        public Params {
            if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be a finite number >= 0, got " + epsilon);
            }
            requireNonNull(mode, "mode is null");
            direction = direction == null ? new double[0] : direction.clone();
        }

        @Override
        public double[] direction() {
            return direction.clone();
        }
    }

    private final ScoreProvider score;
    private final int dimension;
    private final double epsilon;
    private final Mode mode;
    private final long seed;
    /** {@code epsilon u} (bias mode). */
    private final double[] bias;
    private final ThreadLocal<double[]> normals;

    @Inject
    public PerturbedScore(Params params, ScoreProvider score, PipelineSpec pipeline) {
        this.score = requireNonNull(score, "score is null");
        int d = pipeline.dimension();
        this.dimension = d;
        this.epsilon = params.epsilon();
        this.mode = params.mode();
        this.seed = pipeline.seed();
        double[] u = params.direction();
        if (u.length == 0) {
            u = new double[d];
            new HashNoise(seed, DIRECTION_DOMAIN).normals(0, 0, u, 0, d);
        } else if (u.length != d) {
            throw new IllegalArgumentException("direction has " + u.length + " values but the pipeline's dimension is "
                    + d + "; give d values or none");
        }
        double norm = 0.0;
        for (double v : u) {
            norm += v * v;
        }
        if (!(norm > 0) || Double.isInfinite(norm)) {
            throw new IllegalArgumentException("direction must be a finite, non-zero vector");
        }
        this.bias = new double[d];
        double scale = epsilon / Math.sqrt(norm);
        for (int i = 0; i < d; i++) {
            bias[i] = scale * u[i];
        }
        this.normals = ThreadLocal.withInitial(() -> new double[d]);
    }

    /** {@code epsilon u}, the bias mode's error. */
    public double[] bias() {
        return bias.clone();
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        score.score(x, offset, rows, t, out);
        int d = dimension;
        if (mode == Mode.BIAS) {
            for (int r = 0; r < rows; r++) {
                int so = r * d;
                for (int i = 0; i < d; i++) {
                    out[so + i] += bias[i];
                }
            }
            return;
        }
        double[] z = normals.get();
        double scale = epsilon / Math.sqrt(d);
        for (int r = 0; r < rows; r++) {
            HashNoise.normals(key(x, offset + r * d, t), z, 0, d);
            int so = r * d;
            for (int i = 0; i < d; i++) {
                out[so + i] += scale * z[i];
            }
        }
    }

    /** The noise mode's key: a hash chain over the seed, the bits of t and of every coordinate of the point. */
    long key(double[] x, int xo, double t) {
        long h = HashNoise.mix(HashNoise.mix(seed) ^ NOISE_DOMAIN);
        h = HashNoise.mix(h ^ Double.doubleToLongBits(t));
        for (int i = 0; i < dimension; i++) {
            h = HashNoise.mix(h ^ Double.doubleToLongBits(x[xo + i]));
        }
        return h;
    }
}
