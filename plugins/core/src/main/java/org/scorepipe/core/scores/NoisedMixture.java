package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.Simd;
import org.scorepipe.core.kernels.Cholesky;

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
 * {@code Y = X [P_1 ... P_K] - 1 [b_1 ... b_K]} for up to {@value #CHUNK} rows at a time with
 * {@link PrecisionProduct}. With the Vector API ({@link Simd}) the score of whole lanes of rows
 * comes from {@link IsotropicScoreLanes} and {@link FullScoreLanes} instead, and softmaxes from
 * {@link Lanes#softmax}: each lane runs one row's scalar sequence, so every output coordinate sees
 * the same operations in the same order whichever path or tile its row falls in, and results
 * depend neither on how rows are blocked nor on the SIMD unit.
 *
 * <p>Immutable and thread-safe; the methods allocate scratch of {@code O(K d)} per call,
 * nothing per point, and the dense path keeps its product rows in a per-thread array.
 */
public final class NoisedMixture {
    private static final double LOG_TWO_PI = Math.log(2.0 * Math.PI);
    /** Rows whose product the dense path holds at once: a multiple of the product kernel's eight. */
    private static final int CHUNK = 48;
    /** The dense path's product rows, per thread: {@code CHUNK x K d} doubles, kept between calls. */
    private static final ThreadLocal<double[]> PRODUCT_ROWS = new ThreadLocal<>();
    /** Points per SIMD softmax (only read when {@link Simd#ENABLED}). */
    private static final int SIMD_LANES = Simd.ENABLED ? Lanes.LANES : 1;

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
    /** FULL: {@code [P_1 ... P_K]}, {@code d x K d} row-major: {@code P_k[j][i]} at {@code j*K*d + k*d + i}. */
    private final double[] precisionStack;
    /** FULL with {@link Simd}: {@link FullScoreLanes#panels} of {@link #precisionStack}. */
    private final double[] precisionPanels;
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
        this.precisionStack = mode == Mode.FULL ? new double[d * size * d] : null;
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
                    double[] l = Cholesky.lower(c, d);
                    if (l == null) {
                        throw new IllegalArgumentException("component " + k + " of the noised mixture (alpha = " + alpha
                                + ", sigma = " + sigma + ") has a covariance that is not positive definite");
                    }
                    logDet = Cholesky.logDeterminant(l, d);
                    double[] p = Cholesky.inverse(l, d);
                    for (int j = 0; j < d; j++) {
                        System.arraycopy(p, j * d, precisionStack, j * size * d + k * d, d);
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
        this.precisionPanels = mode == Mode.FULL && Simd.ENABLED
                ? FullScoreLanes.panels(precisionStack, d, size * d) : null;
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
                PrecisionProduct.multiply(x, offset, 1, dimension, precisionStack, size * dimension, negatedShifts, y);
                fullLogits(x, offset, y, 0, logits, 0, 1);
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
                int done = 0;
                if (Simd.ENABLED && scoreOut != null && logOut == null && respOut == null) {
                    // Whole tiles of rows in SIMD lanes, the same bits as the loop below.
                    int lanes = SIMD_LANES;
                    IsotropicScoreLanes.score(x, offset, rows / lanes, d, size, means, inverseVariances,
                            logNormalisers, scoreOut, 0, new double[(d + size) * lanes]);
                    done = rows - rows % lanes;
                }
                // Four rows' logits at once: four independent sum chains (each in its own
                // row's order, so the bits do not depend on the tiling) keep the adder busy.
                double[] tile = new double[4 * size];
                int tiled = done + (rows - done) / 4 * 4;
                for (int r = done; r < rows; r++) {
                    int xo = offset + r * d;
                    if (r < tiled) {
                        if ((r - done) % 4 == 0) {
                            isotropicLogits4(x, xo, tile);
                        }
                        System.arraycopy(tile, ((r - done) % 4) * size, logits, 0, size);
                    } else {
                        isotropicLogits(x, xo, logits);
                    }
                    finish(r, logits, logOut, respOut);
                    if (scoreOut != null) {
                        // sum_k r_k (m_k - x) / c_k, component by component (loops over i vectorise)
                        int so = r * d;
                        for (int i = 0; i < d; i++) {
                            scoreOut[so + i] = 0.0;
                        }
                        for (int k = 0; k < size; k++) {
                            double weight = logits[k] * inverseVariances[k];
                            int mo = k * d;
                            for (int i = 0; i < d; i++) {
                                scoreOut[so + i] += weight * (means[mo + i] - x[xo + i]);
                            }
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
            default -> {
                int done = 0;
                if (Simd.ENABLED && scoreOut != null && logOut == null && respOut == null) {
                    // Whole lanes of rows in SIMD, the same bits as evaluateFull's loops.
                    done = rows - rows % SIMD_LANES;
                    FullScoreLanes.score(x, offset, done, d, size, precisionStack, precisionPanels, negatedShifts, means,
                            logNormalisers, scoreOut);
                }
                evaluateFull(x, offset, done, rows, scoreOut, logOut, respOut);
            }
        }
    }

    /** Rows {@code [from, rows)} of the dense path, in plain loops (the softmax of whole lanes in SIMD). */
    private void evaluateFull(double[] x, int offset, int from, int rows, double[] scoreOut, double[] logOut,
            double[] respOut) {
        int d = dimension;
        int kd = size * d;
        double[] y = PRODUCT_ROWS.get();
        if (y == null || y.length < CHUNK * kd) {
            y = new double[CHUNK * kd];
            PRODUCT_ROWS.set(y);
        }
        // The chunk's logits, then responsibilities, component-major: row q's k-th at k*CHUNK + q.
        double[] responsibilities = new double[size * CHUNK];
        double[] scratch = new double[2 * Math.max(1, SIMD_LANES)];
        for (int first = from; first < rows; first += CHUNK) {
            int n = Math.min(CHUNK, rows - first);
            int xo = offset + first * d;
            // y[q*Kd + k*d + i] = (P_k x_q - b_k)_i
            PrecisionProduct.multiply(x, xo, n, d, precisionStack, kd, negatedShifts, y);
            int q = 0;
            for (; q + 4 <= n; q += 4) {
                fullLogits4(x, xo + q * d, y, q * kd, responsibilities, q, CHUNK);
            }
            for (; q < n; q++) {
                fullLogits(x, xo + q * d, y, q * kd, responsibilities, q, CHUNK);
            }
            int laned = 0;
            if (Simd.ENABLED) {
                laned = n - n % SIMD_LANES;
                Lanes.softmax(responsibilities, 0, laned, size, CHUNK, logOut, first, scratch, 0);
            }
            for (q = laned; q < n; q++) {
                double logSum = Softmax.apply(responsibilities, q, size, CHUNK);
                if (logOut != null) {
                    logOut[first + q] = logSum;
                }
            }
            for (q = 0; q < n; q++) {
                int r = first + q;
                if (respOut != null) {
                    for (int k = 0; k < size; k++) {
                        respOut[r * size + k] = responsibilities[k * CHUNK + q];
                    }
                }
                if (scoreOut != null) {
                    // -sum_k r_k (P_k x - b_k), component by component (loops over i vectorise)
                    int so = r * d;
                    for (int i = 0; i < d; i++) {
                        scoreOut[so + i] = 0.0;
                    }
                    for (int k = 0; k < size; k++) {
                        double weight = responsibilities[k * CHUNK + q];
                        int yo = q * kd + k * d;
                        for (int i = 0; i < d; i++) {
                            scoreOut[so + i] -= weight * y[yo + i];
                        }
                    }
                }
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

    /** {@link #fullLogits} of the four rows at {@code x[xo ..]} and {@code y[yo ..]}: row e's into {@code out[at + e + k*stride]}. */
    private void fullLogits4(double[] x, int xo, double[] y, int yo, double[] out, int at, int stride) {
        int d = dimension;
        int o1 = xo + d;
        int o2 = o1 + d;
        int o3 = o2 + d;
        int kd = size * d;
        int y1 = yo + kd;
        int y2 = y1 + kd;
        int y3 = y2 + kd;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double q0 = 0.0;
            double q1 = 0.0;
            double q2 = 0.0;
            double q3 = 0.0;
            for (int i = 0; i < d; i++) {
                double m = means[mo + i];
                q0 += (x[xo + i] - m) * y[yo + mo + i];
                q1 += (x[o1 + i] - m) * y[y1 + mo + i];
                q2 += (x[o2 + i] - m) * y[y2 + mo + i];
                q3 += (x[o3 + i] - m) * y[y3 + mo + i];
            }
            double l = logNormalisers[k];
            int o = at + k * stride;
            out[o] = l - 0.5 * q0;
            out[o + 1] = l - 0.5 * q1;
            out[o + 2] = l - 0.5 * q2;
            out[o + 3] = l - 0.5 * q3;
        }
    }

    /** Logits {@code l_k - quad_k / 2}, {@code quad_k = (x - m_k)^T (P_k x - b_k)}, from the product row at {@code y[yo ..]}, into {@code out[at + k*stride]}. */
    private void fullLogits(double[] x, int xo, double[] y, int yo, double[] out, int at, int stride) {
        int d = dimension;
        for (int k = 0; k < size; k++) {
            int mo = k * d;
            double quad = 0.0;
            for (int i = 0; i < d; i++) {
                quad += (x[xo + i] - means[mo + i]) * y[yo + mo + i];
            }
            out[at + k * stride] = logNormalisers[k] - 0.5 * quad;
        }
    }

    /**
     * Replaces the logits by their softmax (the responsibilities) and writes {@code log p =
     * logsumexp(logits)} and the responsibilities where asked.
     */
    private void finish(int r, double[] logits, double[] logOut, double[] respOut) {
        double logSum = Softmax.apply(logits, 0, size, 1);
        if (logOut != null) {
            logOut[r] = logSum;
        }
        if (respOut != null) {
            System.arraycopy(logits, 0, respOut, r * size, size);
        }
    }
}
