package org.scorepipe.report;

import org.hipparchus.exception.MathIllegalArgumentException;
import org.hipparchus.linear.CholeskyDecomposition;
import org.hipparchus.linear.MatrixUtils;
import org.scorepipe.api.GaussianMixture;

/**
 * The density of a Gaussian mixture {@code p(x) = sum_k w_k N(x; mu_k, Sigma_k)} (weights
 * normalised to sum 1), evaluated through the Cholesky factor {@code Sigma_k = L_k L_k^T}:
 * <pre>
 *   log N(x; mu, L L^T) = -|L^{-1} (x - mu)|^2 / 2 - sum_i log L_ii - d log(2 pi) / 2
 * </pre>
 * summed over components with log-sum-exp, and the closed-form marginal of one coordinate,
 * {@code p_j(x) = sum_k w_k N(x; mu_kj, Sigma_k,jj)}. Plots only: small grids, no hot loop. The
 * factors are Hipparchus' {@link CholeskyDecomposition} (the report needs no bit-exactness; the
 * samplers' own factorisation is the core plugin's, which the report does not depend on).
 */
final class MixtureDensity {
    /** The data sources check symmetry to this relative tolerance too. */
    private static final double SYMMETRY_TOLERANCE = 1e-12;

    private final int size;
    private final int dimension;
    private final double[] logWeights;
    private final double[][] means;
    private final double[][] choleskyFactors;
    private final double[] logDeterminantHalves;
    private final double[][] variances;
    private final double[] weights;

    MixtureDensity(GaussianMixture mixture) {
        this.size = mixture.size();
        this.dimension = mixture.dimension();
        double[] w = mixture.weights();
        double total = 0.0;
        for (double v : w) {
            total += v;
        }
        this.weights = new double[size];
        this.logWeights = new double[size];
        this.means = new double[size][];
        this.choleskyFactors = new double[size][];
        this.logDeterminantHalves = new double[size];
        this.variances = new double[size][dimension];
        int d = dimension;
        for (int k = 0; k < size; k++) {
            weights[k] = w[k] / total;
            logWeights[k] = Math.log(weights[k]);
            GaussianMixture.Gaussian g = mixture.components().get(k);
            means[k] = g.mean();
            double[][] covariance = new double[d][d];
            for (int i = 0; i < d; i++) {
                variances[k][i] = g.covariance(i, i);
                for (int j = 0; j < d; j++) {
                    covariance[i][j] = g.covariance(i, j);
                }
            }
            double[] l = new double[d * d];
            try {
                double[][] factor = new CholeskyDecomposition(MatrixUtils.createRealMatrix(covariance),
                        SYMMETRY_TOLERANCE, 0.0).getL().getData();
                for (int i = 0; i < d; i++) {
                    System.arraycopy(factor[i], 0, l, i * d, d);
                    logDeterminantHalves[k] += Math.log(l[i * d + i]);
                }
            } catch (MathIllegalArgumentException e) {
                throw new IllegalArgumentException("component " + k + " has a covariance that is not symmetric positive"
                        + " definite");
            }
            choleskyFactors[k] = l;
        }
    }

    int dimension() {
        return dimension;
    }

    /** The mixture weights, normalised. */
    double[] weights() {
        return weights.clone();
    }

    /** {@code p(x)} at the point {@code x} ({@code d} values). */
    double density(double[] x) {
        int d = dimension;
        double[] logs = new double[size];
        double max = Double.NEGATIVE_INFINITY;
        double[] z = new double[d];
        for (int k = 0; k < size; k++) {
            double[] l = choleskyFactors[k];
            double q = 0.0;
            // Forward substitution L z = x - mu.
            for (int i = 0; i < d; i++) {
                double s = x[i] - means[k][i];
                for (int m = 0; m < i; m++) {
                    s -= l[i * d + m] * z[m];
                }
                z[i] = s / l[i * d + i];
                q += z[i] * z[i];
            }
            logs[k] = logWeights[k] - 0.5 * q - logDeterminantHalves[k] - 0.5 * d * Math.log(2 * Math.PI);
            max = Math.max(max, logs[k]);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return 0.0;
        }
        double sum = 0.0;
        for (double v : logs) {
            sum += Math.exp(v - max);
        }
        return Math.exp(max) * sum;
    }

    /** The marginal density of coordinate {@code j} at {@code x}. */
    double marginal(int j, double x) {
        double p = 0.0;
        for (int k = 0; k < size; k++) {
            double v = variances[k][j];
            double diff = x - means[k][j];
            p += weights[k] * Math.exp(-0.5 * diff * diff / v) / Math.sqrt(2 * Math.PI * v);
        }
        return p;
    }

    /** Component {@code k}'s mean. */
    double[] mean(int k) {
        return means[k].clone();
    }

    /** Component {@code k}'s standard deviation along coordinate {@code j}. */
    double standardDeviation(int k, int j) {
        return Math.sqrt(variances[k][j]);
    }

    int size() {
        return size;
    }
}
