package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;

/**
 * A Gaussian mixture pushed through a noising path to a time {@code t}: if
 * {@code X_0 ~ sum_k w_k N(mu_k, Sigma_k)} then {@code X_t = alpha X_0 + sigma Z} has the law
 * <pre>
 *   p_t = sum_k w_k N(m_k, C_k),   m_k = alpha mu_k,   C_k = alpha^2 Sigma_k + sigma^2 I
 * </pre>
 * with the score
 * <pre>
 *   grad log p_t(x) = -sum_k r_k(x) P_k (x - m_k),   P_k = C_k^{-1},
 *   r_k(x) = softmax_k( log w_k - log det C_k / 2 - (x - m_k)^T P_k (x - m_k) / 2 )
 * </pre>
 * Everything that depends only on {@code t} (the precisions {@code P_k}, the log-determinants,
 * {@code b_k = P_k m_k}) is computed once in {@link #of}; the per-point work is then one
 * matrix product and a log-sum-exp softmax.
 *
 * <p>The code path is chosen once per mixture: all components {@code SCALAR} (isotropic,
 * {@code P_k = I / c_k}), a mix of {@code SCALAR} and {@code DIAGONAL} (diagonal precisions), or
 * any {@code FULL} component (dense precisions). The dense path computes
 * {@code Y = X [P_1 ... P_K]} as rank-1 updates {@code y[0..Kd) += x_j pRow_j[0..Kd)} over
 * four particles at a time, with every array indexed by the loop variable alone, which is the
 * form C2 vectorises. Each output coordinate sees the same operations in the same order
 * whether its row is in a tile of four or not, so results do not depend on how rows are blocked.
 *
 * <p>Immutable and thread-safe; the methods allocate scratch of {@code O(K d)} per call,
 * nothing per point.
 */
public final class NoisedMixture {
    private static final double LOG_TWO_PI = Math.log(2.0 * Math.PI);

    private enum Mode { ISOTROPIC, DIAGONAL, FULL }

    private final GaussianMixture mixture;
    private final double alpha;
    private final double sigma;
    private final int size;
    private final int dimension;
    private final Mode mode;
    /** {@code log w_k - log det C_k / 2 - d log(2 pi) / 2}. */
    private final double[] logNormalisers;
    /** {@code m_k} at {@code k*d}. */
    private final double[] means;
    /** ISOTROPIC: {@code 1 / c_k}. */
    private final double[] inverseVariances;
    /** DIAGONAL: {@code 1 / C_k[i][i]} at {@code k*d + i}. */
    private final double[] diagonalPrecisions;
    /** FULL: {@code pRows[j][k*d + i] = P_k[j][i]}, row {@code j} of {@code [P_1 ... P_K]}. */
    private final double[][] precisionRows;
    /** FULL: {@code -b_k = -P_k m_k} at {@code k*d}. */
    private final double[] negatedShifts;

    private NoisedMixture(GaussianMixture mixture, double alpha, double sigma) {
        this.mixture = mixture;
        this.alpha = alpha;
        this.sigma = sigma;
        this.size = mixture.size();
        int d = mixture.dimension();
        this.dimension = d;
        Mode chosen = Mode.ISOTROPIC;
        for (GaussianMixture.Gaussian g : mixture.components()) {
            if (g.form() == Form.FULL) {
                chosen = Mode.FULL;
            } else if (g.form() == Form.DIAGONAL && chosen == Mode.ISOTROPIC) {
                chosen = Mode.DIAGONAL;
            }
        }
        this.mode = chosen;
        double a2 = alpha * alpha;
        double s2 = sigma * sigma;
        double[] weights = mixture.weights();
        this.logNormalisers = new double[size];
        this.means = new double[size * d];
        this.inverseVariances = mode == Mode.ISOTROPIC ? new double[size] : null;
        this.diagonalPrecisions = mode == Mode.DIAGONAL ? new double[size * d] : null;
        this.precisionRows = mode == Mode.FULL ? new double[d][size * d] : null;
        this.negatedShifts = mode == Mode.FULL ? new double[size * d] : null;
        for (int k = 0; k < size; k++) {
            GaussianMixture.Gaussian g = mixture.components().get(k);
            double[] mu = g.mean();
            for (int i = 0; i < d; i++) {
                means[k * d + i] = alpha * mu[i];
            }
            double logDet;
            switch (mode) {
                case ISOTROPIC -> {
                    double c = a2 * g.covariance(0, 0) + s2;
                    requirePositive(c, k);
                    inverseVariances[k] = 1.0 / c;
                    logDet = d * Math.log(c);
                }
                case DIAGONAL -> {
                    logDet = 0.0;
                    for (int i = 0; i < d; i++) {
                        double c = a2 * g.covariance(i, i) + s2;
                        requirePositive(c, k);
                        diagonalPrecisions[k * d + i] = 1.0 / c;
                        logDet += Math.log(c);
                    }
                }
                default -> {
                    double[] c = new double[d * d];
                    for (int i = 0; i < d; i++) {
                        for (int j = 0; j < d; j++) {
                            c[i * d + j] = a2 * g.covariance(i, j) + (i == j ? s2 : 0.0);
                        }
                    }
                    double[] l = cholesky(c, d);
                    if (l == null) {
                        throw new IllegalArgumentException("component " + k + " of the noised mixture (alpha = " + alpha
                                + ", sigma = " + sigma + ") has a covariance that is not positive definite");
                    }
                    logDet = 0.0;
                    for (int i = 0; i < d; i++) {
                        logDet += 2.0 * Math.log(l[i * d + i]);
                    }
                    double[] p = inverseFromCholesky(l, d);
                    for (int j = 0; j < d; j++) {
                        System.arraycopy(p, j * d, precisionRows[j], k * d, d);
                    }
                    for (int i = 0; i < d; i++) {
                        double b = 0.0;
                        for (int j = 0; j < d; j++) {
                            b += p[i * d + j] * means[k * d + j];
                        }
                        negatedShifts[k * d + i] = -b;
                    }
                }
            }
            logNormalisers[k] = Math.log(weights[k]) - 0.5 * logDet - 0.5 * d * LOG_TWO_PI;
        }
    }

    /**
     * The law of {@code alpha X + sigma Z} for {@code X ~ mixture}, {@code Z ~ N(0, I)}.
     *
     * @throws IllegalArgumentException if a noised covariance is not positive definite (only
     *     possible with {@code sigma = 0} and a singular or invalid data covariance)
     */
    public static NoisedMixture of(GaussianMixture mixture, double alpha, double sigma) {
        requireNonNull(mixture, "mixture is null");
        if (!Double.isFinite(alpha) || !(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new IllegalArgumentException("need a finite alpha and a finite sigma >= 0, got alpha = " + alpha
                    + ", sigma = " + sigma);
        }
        return new NoisedMixture(mixture, alpha, sigma);
    }

    private static void requirePositive(double variance, int k) {
        if (!(variance > 0) || Double.isInfinite(variance)) {
            throw new IllegalArgumentException("component " + k + " of the noised mixture has variance " + variance
                    + "; variances must be finite and > 0");
        }
    }

    /** Lower Cholesky factor of {@code a} (row-major), or {@code null} if not positive definite. */
    private static double[] cholesky(double[] a, int d) {
        double[] l = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * d + j];
                for (int m = 0; m < j; m++) {
                    s -= l[i * d + m] * l[j * d + m];
                }
                if (i == j) {
                    if (!(s > 0) || Double.isInfinite(s)) {
                        return null;
                    }
                    l[i * d + i] = Math.sqrt(s);
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        return l;
    }

    /** {@code (L L^T)^{-1} = W^T W} with {@code W = L^{-1}}; exactly symmetric. */
    private static double[] inverseFromCholesky(double[] l, int d) {
        double[] w = new double[d * d];
        for (int c = 0; c < d; c++) {
            w[c * d + c] = 1.0 / l[c * d + c];
            for (int i = c + 1; i < d; i++) {
                double s = 0.0;
                for (int m = c; m < i; m++) {
                    s += l[i * d + m] * w[m * d + c];
                }
                w[i * d + c] = -s / l[i * d + i];
            }
        }
        double[] p = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double s = 0.0;
                for (int m = j; m < d; m++) {
                    s += w[m * d + i] * w[m * d + j];
                }
                p[i * d + j] = s;
                p[j * d + i] = s;
            }
        }
        return p;
    }

    /** Number of components {@code K}. */
    public int size() {
        return size;
    }

    public int dimension() {
        return dimension;
    }

    /** The mixture weights {@code w_k} (unchanged by the noising). */
    public double[] weights() {
        return mixture.weights();
    }

    /** {@code grad log p_t} of {@code rows} points {@code x[offset + r*d ..]} into {@code out[r*d ..]}. */
    public void score(double[] x, int offset, int rows, double[] out) {
        evaluate(x, offset, rows, out, null, null);
    }

    /** The exact, normalised {@code log p_t} of {@code rows} points into {@code out[0 .. rows)}. */
    public void logDensity(double[] x, int offset, int rows, double[] out) {
        evaluate(x, offset, rows, null, out, null);
    }

    /** Posterior component probabilities: {@code out[r*K + k] = P(component k | x_r)}. */
    public void responsibilities(double[] x, int offset, int rows, double[] out) {
        evaluate(x, offset, rows, null, null, out);
    }

    /** The component with the largest posterior probability for the point at {@code x[offset ..]}. */
    public int mostResponsible(double[] x, int offset) {
        double[] logits = new double[size];
        switch (mode) {
            case ISOTROPIC -> isotropicLogits(x, offset, logits);
            case DIAGONAL -> diagonalLogits(x, offset, logits);
            default -> {
                double[] y = new double[size * dimension];
                fullProduct(x, offset, y);
                fullLogits(x, offset, y, logits);
            }
        }
        int best = 0;
        for (int k = 1; k < size; k++) {
            if (logits[k] > logits[best]) {
                best = k;
            }
        }
        return best;
    }

    /** The mixture's mean {@code sum_k w_k m_k}. */
    public double[] mean() {
        int d = dimension;
        double[] weights = mixture.weights();
        double[] mean = new double[d];
        for (int k = 0; k < size; k++) {
            for (int i = 0; i < d; i++) {
                mean[i] += weights[k] * means[k * d + i];
            }
        }
        return mean;
    }

    /** The mixture's covariance {@code sum_k w_k (C_k + m_k m_k^T) - m m^T}, {@code d x d} row-major. */
    public double[] covariance() {
        int d = dimension;
        double[] weights = mixture.weights();
        double[] mean = mean();
        double a2 = alpha * alpha;
        double s2 = sigma * sigma;
        double[] covariance = new double[d * d];
        for (int k = 0; k < size; k++) {
            GaussianMixture.Gaussian g = mixture.components().get(k);
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double c = a2 * g.covariance(i, j) + (i == j ? s2 : 0.0);
                    // Centred at the overall mean: sum_k w_k (m_k - m)(m_k - m)^T = sum_k w_k m_k m_k^T - m m^T.
                    double di = means[k * d + i] - mean[i];
                    double dj = means[k * d + j] - mean[j];
                    covariance[i * d + j] += weights[k] * (c + di * dj);
                }
            }
        }
        return covariance;
    }

    /** One pass computing whichever of score, log density and responsibilities is non-null. */
    private void evaluate(double[] x, int offset, int rows, double[] scoreOut, double[] logOut, double[] respOut) {
        int d = dimension;
        double[] logits = new double[size];
        switch (mode) {
            case ISOTROPIC -> {
                // Four rows' logits at once: four independent sum chains (each in its own
                // row's order, so the bits do not depend on the tiling) keep the adder busy.
                double[] tile = new double[4 * size];
                int tiled = rows - rows % 4;
                for (int r = 0; r < rows; r++) {
                    int xo = offset + r * d;
                    if (r < tiled) {
                        if (r % 4 == 0) {
                            isotropicLogits4(x, xo, tile);
                        }
                        System.arraycopy(tile, (r % 4) * size, logits, 0, size);
                    } else {
                        isotropicLogits(x, xo, logits);
                    }
                    finish(r, logits, logOut, respOut);
                    if (scoreOut != null) {
                        // -sum_k r_k (x - m_k) / c_k
                        int so = r * d;
                        for (int i = 0; i < d; i++) {
                            double xi = x[xo + i];
                            double s = 0.0;
                            for (int k = 0; k < size; k++) {
                                s += logits[k] * inverseVariances[k] * (means[k * d + i] - xi);
                            }
                            scoreOut[so + i] = s;
                        }
                    }
                }
            }
            case DIAGONAL -> {
                for (int r = 0; r < rows; r++) {
                    int xo = offset + r * d;
                    diagonalLogits(x, xo, logits);
                    finish(r, logits, logOut, respOut);
                    if (scoreOut != null) {
                        int so = r * d;
                        for (int i = 0; i < d; i++) {
                            double xi = x[xo + i];
                            double s = 0.0;
                            for (int k = 0; k < size; k++) {
                                s += logits[k] * diagonalPrecisions[k * d + i] * (means[k * d + i] - xi);
                            }
                            scoreOut[so + i] = s;
                        }
                    }
                }
            }
            default -> evaluateFull(x, offset, rows, logits, scoreOut, logOut, respOut);
        }
    }

    private void evaluateFull(double[] x, int offset, int rows, double[] logits,
            double[] scoreOut, double[] logOut, double[] respOut) {
        int d = dimension;
        int kd = size * d;
        double[][] pRows = precisionRows;
        double[] y0 = new double[kd];
        double[] y1 = new double[kd];
        double[] y2 = new double[kd];
        double[] y3 = new double[kd];
        double[] tile = new double[4 * size];
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int o0 = offset + r * d;
            int o1 = o0 + d;
            int o2 = o1 + d;
            int o3 = o2 + d;
            // y_q[k*d + i] = (P_k x_q - b_k)_i, accumulated in the order -b, then j = 0 .. d-1,
            // exactly as fullProduct does for a single row.
            System.arraycopy(negatedShifts, 0, y0, 0, kd);
            System.arraycopy(negatedShifts, 0, y1, 0, kd);
            System.arraycopy(negatedShifts, 0, y2, 0, kd);
            System.arraycopy(negatedShifts, 0, y3, 0, kd);
            for (int j = 0; j < d; j++) {
                double[] p = pRows[j];
                double x0 = x[o0 + j];
                double x1 = x[o1 + j];
                double x2 = x[o2 + j];
                double x3 = x[o3 + j];
                for (int t = 0; t < kd; t++) {
                    double pt = p[t];
                    y0[t] += x0 * pt;
                    y1[t] += x1 * pt;
                    y2[t] += x2 * pt;
                    y3[t] += x3 * pt;
                }
            }
            fullLogits4(x, o0, y0, y1, y2, y3, tile);
            finishFull(y0, r, tile, 0, logits, scoreOut, logOut, respOut);
            finishFull(y1, r + 1, tile, size, logits, scoreOut, logOut, respOut);
            finishFull(y2, r + 2, tile, 2 * size, logits, scoreOut, logOut, respOut);
            finishFull(y3, r + 3, tile, 3 * size, logits, scoreOut, logOut, respOut);
        }
        for (; r < rows; r++) {
            int xo = offset + r * d;
            fullProduct(x, xo, y0);
            fullLogits(x, xo, y0, tile);
            finishFull(y0, r, tile, 0, logits, scoreOut, logOut, respOut);
        }
    }

    /** {@code y[k*d + i] = (P_k x - b_k)_i} for the single point at {@code x[xo ..]}. */
    private void fullProduct(double[] x, int xo, double[] y) {
        int kd = size * dimension;
        System.arraycopy(negatedShifts, 0, y, 0, kd);
        for (int j = 0; j < dimension; j++) {
            double[] p = precisionRows[j];
            double xj = x[xo + j];
            for (int t = 0; t < kd; t++) {
                y[t] += xj * p[t];
            }
        }
    }

    /** Softmax of the logits at {@code tile[from ..]} and the score {@code -sum_k r_k y_k} of row {@code r}. */
    private void finishFull(double[] y, int r, double[] tile, int from, double[] logits,
            double[] scoreOut, double[] logOut, double[] respOut) {
        int d = dimension;
        System.arraycopy(tile, from, logits, 0, size);
        finish(r, logits, logOut, respOut);
        if (scoreOut != null) {
            // -sum_k r_k (P_k x - b_k)
            int so = r * d;
            for (int i = 0; i < d; i++) {
                double s = 0.0;
                for (int k = 0; k < size; k++) {
                    s -= logits[k] * y[k * d + i];
                }
                scoreOut[so + i] = s;
            }
        }
    }

    private void isotropicLogits(double[] x, int xo, double[] logits) {
        int d = dimension;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double quad = 0.0;
            for (int i = 0; i < d; i++) {
                double z = x[xo + i] - means[mo + i];
                quad += z * z;
            }
            logits[k] = logNormalisers[k] - 0.5 * quad * inverseVariances[k];
        }
    }

    /** {@link #isotropicLogits} of the four rows at {@code x[xo ..]}, into {@code out[q*K + k]}. */
    private void isotropicLogits4(double[] x, int xo, double[] out) {
        int d = dimension;
        int o1 = xo + d;
        int o2 = o1 + d;
        int o3 = o2 + d;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double q0 = 0.0;
            double q1 = 0.0;
            double q2 = 0.0;
            double q3 = 0.0;
            for (int i = 0; i < d; i++) {
                double m = means[mo + i];
                double z0 = x[xo + i] - m;
                double z1 = x[o1 + i] - m;
                double z2 = x[o2 + i] - m;
                double z3 = x[o3 + i] - m;
                q0 += z0 * z0;
                q1 += z1 * z1;
                q2 += z2 * z2;
                q3 += z3 * z3;
            }
            double c = inverseVariances[k];
            double l = logNormalisers[k];
            out[k] = l - 0.5 * q0 * c;
            out[size + k] = l - 0.5 * q1 * c;
            out[2 * size + k] = l - 0.5 * q2 * c;
            out[3 * size + k] = l - 0.5 * q3 * c;
        }
    }

    private void diagonalLogits(double[] x, int xo, double[] logits) {
        int d = dimension;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double quad = 0.0;
            for (int i = 0; i < d; i++) {
                double z = x[xo + i] - means[mo + i];
                quad += z * z * diagonalPrecisions[mo + i];
            }
            logits[k] = logNormalisers[k] - 0.5 * quad;
        }
    }

    /** {@link #fullLogits} of the four rows at {@code x[xo ..]}, into {@code out[q*K + k]}. */
    private void fullLogits4(double[] x, int xo, double[] y0, double[] y1, double[] y2, double[] y3, double[] out) {
        int d = dimension;
        int o1 = xo + d;
        int o2 = o1 + d;
        int o3 = o2 + d;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double q0 = 0.0;
            double q1 = 0.0;
            double q2 = 0.0;
            double q3 = 0.0;
            for (int i = 0; i < d; i++) {
                double m = means[mo + i];
                q0 += (x[xo + i] - m) * y0[mo + i];
                q1 += (x[o1 + i] - m) * y1[mo + i];
                q2 += (x[o2 + i] - m) * y2[mo + i];
                q3 += (x[o3 + i] - m) * y3[mo + i];
            }
            double l = logNormalisers[k];
            out[k] = l - 0.5 * q0;
            out[size + k] = l - 0.5 * q1;
            out[2 * size + k] = l - 0.5 * q2;
            out[3 * size + k] = l - 0.5 * q3;
        }
    }

    /** {@code quad_k = (x - m_k)^T (P_k x - b_k)} from the product {@code y}. */
    private void fullLogits(double[] x, int xo, double[] y, double[] logits) {
        int d = dimension;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double quad = 0.0;
            for (int i = 0; i < d; i++) {
                quad += (x[xo + i] - means[mo + i]) * y[mo + i];
            }
            logits[k] = logNormalisers[k] - 0.5 * quad;
        }
    }

    /**
     * Replaces the logits by their softmax (the responsibilities) and writes {@code log p =
     * logsumexp(logits)} and the responsibilities where asked.
     */
    private void finish(int r, double[] logits, double[] logOut, double[] respOut) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < size; k++) {
            if (logits[k] > max) {
                max = logits[k];
            }
        }
        double sum = 0.0;
        for (int k = 0; k < size; k++) {
            // exp(0) = 1 exactly: the largest logit needs no call.
            double e = logits[k] == max ? 1.0 : Math.exp(logits[k] - max);
            logits[k] = e;
            sum += e;
        }
        double inverse = 1.0 / sum;
        for (int k = 0; k < size; k++) {
            logits[k] *= inverse;
        }
        if (logOut != null) {
            logOut[r] = max + Math.log(sum);
        }
        if (respOut != null) {
            System.arraycopy(logits, 0, respOut, r * size, size);
        }
    }
}
