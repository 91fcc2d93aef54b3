package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.ScoreProvider;

/**
 * A score clipped to a ball around the score of the path's base, the truncation of Pedrotti,
 * Maas, Mondelli, "Improved convergence of score-based diffusion models via
 * prediction-correction" (arXiv 2305.14164), which turns an {@code L^2}-accurate score into
 * one whose error has bounded exponential moments.
 *
 * <p>The base score {@code b_t} is the score of the path's marginal when the data is the single
 * point 0, {@code X_t = sigma_t Z}:
 * <pre>
 *   b_t(x) = -x / sigma_t^2                                  Gaussian noise
 *   b_t(x) = -(nu + d) x / (nu sigma_t^2 + |x|^2)            Student-t noise of nu degrees of freedom
 * </pre>
 * and the wrapped score {@code s} is projected onto the ball of radius {@code rho_t} around it:
 * <pre>
 *   s~(x, t) = b_t(x) + (s(x, t) - b_t(x)) min(1, rho_t / |s(x, t) - b_t(x)|)
 * </pre>
 * with {@code rho_t = R alpha_t / sigma_t^2} ({@code radius-scaling: data}) or
 * {@code rho_t = R} ({@code constant}). The first is the exact range of the true score for data
 * in the ball {@code |X_0| <= R} under Gaussian noise, since
 * {@code grad log p_t(x) - b_t(x) = alpha_t E[X_0 | X_t = x] / sigma_t^2}: with such data the
 * truncation never changes the exact score, and it bounds an estimate's error where the
 * estimate is wrong. The truncated field is not a gradient: it has no log density.
 */
@Component(kind = ComponentKind.SCORE_PROVIDER, name = "truncated",
        doc = "Clips the wrapped score to a ball around the path's base score (-x / sigma_t^2 for Gaussian noise),"
                + " of radius R alpha_t / sigma_t^2 (data) or R (constant); arXiv 2305.14164.")
public final class TruncatedScore implements ScoreProvider {

    /** How the ball's radius depends on time. */
    public enum RadiusScaling {
        /** {@code rho_t = R alpha_t / sigma_t^2}: the range of the exact score for data in the ball of radius R. */
        DATA,
        /** {@code rho_t = R}. */
        CONSTANT
    }

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("R > 0: the data radius (radius-scaling: data) or the ball's radius itself (constant)") double radius,
            @Doc("data: rho_t = R alpha_t / sigma_t^2; constant: rho_t = R") @Default("data") RadiusScaling radiusScaling) {
        public Params {
            if (!(radius > 0) || Double.isInfinite(radius)) {
                throw new IllegalArgumentException("radius must be a finite number > 0, got " + radius);
            }
            requireNonNull(radiusScaling, "radius-scaling is null");
        }
    }

    private final Params params;
    private final ScoreProvider score;
    private final NoisingPath path;
    private final int dimension;

    @Inject
    public TruncatedScore(Params params, ScoreProvider score, NoisingPath path, PipelineSpec pipeline) {
        this.params = requireNonNull(params, "params is null");
        this.score = requireNonNull(score, "score is null");
        this.path = requireNonNull(path, "path is null");
        this.dimension = pipeline.dimension();
    }

    /** {@code rho_t}, the ball's radius at {@code t}. */
    public double radius(double t) {
        return params.radiusScaling() == RadiusScaling.CONSTANT ? params.radius()
                : params.radius() * path.meanScale(t) / square(path.noiseScale(t));
    }

    private static double square(double v) {
        return v * v;
    }

    @Override
    public void score(double[] x, int offset, int rows, double t, double[] out) {
        double sigma = path.noiseScale(t);
        if (!(sigma > 0) || !Double.isFinite(sigma)) {
            throw new IllegalArgumentException("the truncated score at t = " + t + " needs a finite sigma_t > 0 (the"
                    + " base score -x / sigma_t^2 is undefined otherwise), got " + sigma);
        }
        score.score(x, offset, rows, t, out);
        int d = dimension;
        double s2 = sigma * sigma;
        double nu = path.noiseDegreesOfFreedom();
        boolean gaussian = nu == Double.POSITIVE_INFINITY;
        double rho = radius(t);
        for (int r = 0; r < rows; r++) {
            int xo = offset + r * d;
            int so = r * d;
            double xx = 0.0;
            if (!gaussian) {
                for (int i = 0; i < d; i++) {
                    xx += x[xo + i] * x[xo + i];
                }
            }
            // b = -c x with c = 1 / sigma^2 (Gaussian) or (nu + d) / (nu sigma^2 + |x|^2) (Student-t).
            double c = gaussian ? 1.0 / s2 : (nu + d) / (nu * s2 + xx);
            double distance2 = 0.0;
            for (int i = 0; i < d; i++) {
                double e = out[so + i] + c * x[xo + i];
                distance2 += e * e;
            }
            if (distance2 > rho * rho) {
                double shrink = rho / Math.sqrt(distance2);
                for (int i = 0; i < d; i++) {
                    double base = -c * x[xo + i];
                    out[so + i] = base + (out[so + i] - base) * shrink;
                }
            }
        }
    }

}
