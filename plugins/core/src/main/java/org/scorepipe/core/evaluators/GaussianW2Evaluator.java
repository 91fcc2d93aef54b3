package org.scorepipe.core.evaluators;

import static java.util.Objects.requireNonNull;

import jakarta.inject.Inject;
import java.util.Optional;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.linear.RealMatrix;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Block;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.MergeableEvaluator;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;

/**
 * The 2-Wasserstein distance between Gaussian fits of the particles and of the reference, in
 * closed form (Dowson and Landau, "The Fréchet distance between multivariate normal
 * distributions", J. Multivariate Anal. 12 (1982); Givens and Shortt, 1984; the Fréchet
 * distance of FID):
 * <pre>
 *   W_2^2( N(m_1, S_1), N(m_2, S_2) ) = |m_1 - m_2|^2 + tr( S_1 + S_2 - 2 (S_2^{1/2} S_1 S_2^{1/2})^{1/2} )
 * </pre>
 * with {@code m_1, S_1} the particles' sample mean and unbiased sample covariance and
 * {@code m_2, S_2} the reference's: exact for a Gaussian-mixture data source (its mean and
 * covariance pushed to the particles' time, see {@link MomentsEvaluator}), otherwise the sample
 * moments of fresh reference samples ({@link Reference#samples}). Matrix square roots come from
 * symmetric eigen decompositions, with eigenvalues that rounding made slightly negative set to 0.
 * It compares only the first two moments: zero for any two laws that share them. Reported as
 * {@code gaussian-w2}.
 *
 * <p>The particles enter only through {@code m_1, S_1}, which follow from the additive sums
 * {@code S1 = sum_i (x_i - c)} and {@code S2 = sum_i (x_i - c)(x_i - c)^T} about a fixed shift
 * {@code c} ({@link Moments#sums(org.scorepipe.api.Block, double[])}): {@code u = S1/n},
 * {@code m_1 = c + u}, {@code S_1 = (S2 - n u u^T)/(n - 1)}. So the evaluator merges: a
 * distributed runner sums them chunk by chunk where the particles live and only {@code d + d^2}
 * numbers per chunk reach the driver, with the same value as a local run. The shift is the
 * reference mean {@code m_2} when it is exact (a Gaussian-mixture source), else 0: the one-pass
 * difference then loses about {@code eps |m_1 - c|^2 / |S_1|}, nothing for particles near the
 * target even when its mean is far from the origin.
 */
@Component(kind = ComponentKind.EVALUATOR, name = "gaussian-w2",
        doc = "Closed-form 2-Wasserstein (Fréchet) distance between Gaussian fits of the particles and the reference.")
public final class GaussianW2Evaluator implements MergeableEvaluator {

    /** Parameters, bound from the evaluator's config section. */
    public record Params(
            @Doc("compare with the data (data) or with the data noised to the particles' time (noised)")
            @Default("noised") Reference reference,
            @Doc("reference samples when the target has no closed form; 0 = as many as particles")
            @Default("0") int referenceSamples) {
        public Params {
            requireNonNull(reference, "reference is null");
            if (referenceSamples < 0 || referenceSamples == 1) {
                throw new IllegalArgumentException("reference-samples must be 0 (as many as particles) or >= 2, got "
                        + referenceSamples);
            }
        }
    }

    private final Params params;
    private final DataSource data;
    private final NoisingPath path;
    private final Optional<GaussianMixture> mixture;

    @Inject
    public GaussianW2Evaluator(Params params, DataSource data, NoisingPath path) {
        this.params = requireNonNull(params, "params is null");
        this.data = requireNonNull(data, "data is null");
        this.path = requireNonNull(path, "path is null");
        this.mixture = data.gaussianMixture();
    }

    /** {@code [sum_i (x_i - c), sum_i (x_i - c)(x_i - c)^T]} over the block's rows, {@code c} the {@link #shift}. */
    @Override
    public double[] partial(Block block, EvalContext context) {
        return Moments.sums(block, shift(block.dimension(), context));
    }

    /**
     * The shift {@code c} of the sums, the same for every chunk: for a mixture the reference mean
     * {@code alpha sum_k w_k mu_k} ({@code alpha = alpha_t} for {@code noised}, 1 for {@code data};
     * O(K d), nothing of the covariance), else 0.
     */
    private double[] shift(int d, EvalContext context) {
        double[] shift = new double[d];
        if (mixture.isEmpty()) {
            return shift;
        }
        GaussianMixture m = mixture.get();
        if (m.dimension() != d) {
            throw new IllegalArgumentException("the data source has dimension " + m.dimension()
                    + " but the particles have " + d);
        }
        double alpha = params.reference() == Reference.DATA ? 1.0 : path.meanScale(context.time());
        double[] weights = m.weights();
        for (int k = 0; k < weights.length; k++) {
            double[] mu = m.components().get(k).mean();
            for (int j = 0; j < d; j++) {
                shift[j] += weights[k] * mu[j];
            }
        }
        for (int j = 0; j < d; j++) {
            shift[j] *= alpha;
        }
        return shift;
    }

    @Override
    public Metrics combine(double[] stats, long n, EvalContext context) {
        if (n < 2) {
            throw new IllegalArgumentException("the gaussian-w2 evaluator needs at least 2 particles, got " + n);
        }
        int d = Moments.dimensionOfSums(stats);
        Moments target = Moments.target(params.reference(), params.referenceSamples(), data, path, mixture,
                (int) Math.min(n, Integer.MAX_VALUE), d, context);
        Moments sample = Moments.fromSums(stats, n, shift(d, context));
        return Metrics.builder()
                .put("gaussian-w2",
                        Math.sqrt(squared(sample.mean(), sample.covariance(), target.mean(), target.covariance(), d)))
                .build();
    }

    /** {@code W_2^2} of the class comment; covariances {@code d x d} row-major, symmetric positive semi-definite. */
    static double squared(double[] m1, double[] s1, double[] m2, double[] s2, int d) {
        double meanPart = 0.0;
        for (int j = 0; j < d; j++) {
            double diff = m1[j] - m2[j];
            meanPart += diff * diff;
        }
        RealMatrix a = matrix(s1, d);
        RealMatrix root2 = squareRoot(matrix(s2, d));
        RealMatrix inner = root2.multiply(a).multiply(root2);
        // tr (M^{1/2}) = sum of the square roots of M's eigenvalues; symmetrise M against rounding first.
        double crossTrace = 0.0;
        for (double lambda : new EigenDecompositionSymmetric(symmetrised(inner)).getEigenvalues()) {
            crossTrace += Math.sqrt(Math.max(lambda, 0.0));
        }
        double value = meanPart + a.getTrace() + matrix(s2, d).getTrace() - 2.0 * crossTrace;
        // Non-negative in exact arithmetic; rounding can leave -1e-16 for equal laws.
        return Math.max(value, 0.0);
    }

    /** The symmetric positive semi-definite square root {@code V diag(sqrt(max(lambda, 0))) V^T}. */
    static RealMatrix squareRoot(RealMatrix s) {
        EigenDecompositionSymmetric eigen = new EigenDecompositionSymmetric(symmetrised(s));
        double[] lambdas = eigen.getEigenvalues();
        RealMatrix v = eigen.getV();
        int d = lambdas.length;
        double[][] root = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s2 = 0.0;
                for (int e = 0; e < d; e++) {
                    s2 += v.getEntry(i, e) * Math.sqrt(Math.max(lambdas[e], 0.0)) * v.getEntry(j, e);
                }
                root[i][j] = s2;
            }
        }
        return new Array2DRowRealMatrix(root, false);
    }

    private static RealMatrix symmetrised(RealMatrix m) {
        return m.add(m.transpose()).scalarMultiply(0.5);
    }

    private static RealMatrix matrix(double[] rowMajor, int d) {
        double[][] rows = new double[d][d];
        for (int i = 0; i < d; i++) {
            System.arraycopy(rowMajor, i * d, rows[i], 0, d);
        }
        return new Array2DRowRealMatrix(rows, false);
    }
}
