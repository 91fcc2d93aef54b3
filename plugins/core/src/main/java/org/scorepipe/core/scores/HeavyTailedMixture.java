package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.linear.Array2DRowRealMatrix;
import org.hipparchus.linear.EigenDecompositionSymmetric;
import org.hipparchus.linear.RealVector;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;

/**
 * The law of {@code X_t = alpha X + sigma Z} when the target {@code X}, the base {@code Z}, or both
 * are Student-t: every one of them is a Gaussian scale mixture, so {@code X_t} is a Gaussian
 * mixture given the mixing variables, and its density and score are quadratures over them.
 *
 * <p><b>The laws.</b> The target is {@code sum_k w_k N(mu_k, S Sigma_k)} with {@code S = 1} (a
 * Gaussian mixture) or {@code S = nu_x / V}, {@code V ~ chi^2_{nu_x}} (the Student-t
 * {@code t_{nu_x}(mu, Sigma)}, one component); the base is {@code Z = sqrt(T) G}, {@code G ~ N(0, I)},
 * {@code T = 1} (Gaussian) or {@code T = nu_b / W}, {@code W ~ chi^2_{nu_b}} (the standard
 * Student-t of {@link org.scorepipe.core.sources.StudentT}). Given {@code (S, T)}:
 * <pre>
 *   X_t | S, T, k  ~  N(m_k, C_k(S, T)),   m_k = alpha mu_k,   C_k = alpha^2 S Sigma_k + sigma^2 T I
 * </pre>
 * All {@code C_k(S, T)} share the eigenvectors {@code U_k} of {@code Sigma_k} (the noise is
 * isotropic): {@code C_k = U_k diag(alpha^2 S lambda_kl + sigma^2 T) U_k^T}. The mixing variables
 * are replaced by the nodes {@code n} of a trapezoid rule in their logarithms ({@link ChiSquareNodes}),
 * with weights {@code v_n} summing to one: one grid when either side is Gaussian. When both are
 * Student-t, a product grid of the two, except for the common case of an isotropic Student-t
 * target ({@code Sigma = v I}): then {@code C = (alpha^2 v S + sigma^2 T) I} depends on
 * {@code c = alpha^2 v S + sigma^2 T} alone, and one grid in {@code log c} with the density of
 * {@code c} at its nodes ({@link ChiSquareNodes#sumNodes}, an inner quadrature per node, once per
 * time) replaces the {@code N^2} product nodes by about {@code N} (the cost per point is then that
 * of the one-sided cases). A non-isotropic Student-t under a Student-t base keeps the product grid:
 * its {@code C} depends on both variables. Then
 * <pre>
 *   p_t(x)          = sum_{k, n} w_k v_n N(x; m_k, C_kn),       c_knl = alpha^2 S_n lambda_kl + sigma^2 T_n
 *   log-weights     l_kn(x) = log w_k + log v_n - sum_l log(2 pi c_knl) / 2 - sum_l y_kl^2 / (2 c_knl),
 *                   y_k = U_k^T (x - m_k)
 *   grad log p_t(x) = -sum_k U_k [ (sum_n r_kn / c_knl) y_kl ]_l,    r_kn = softmax_{k, n}(l_kn(x))
 * </pre>
 * the score of the quadrature density exactly (it is the posterior-weighted Gaussian-mixture
 * score), so finite differences of {@link #logDensity} reproduce {@link #score}.
 *
 * <p><b>Per time, not per point.</b> The grid, {@code 1 / c_knl} and the log-normalisers are
 * computed once in {@link #of}; a point then costs one rotation per full component and
 * {@code K N} (isotropic components) or {@code K N d} multiply-adds and {@code K N} exponentials.
 *
 * <p><b>Coverage.</b> The grid's widest node is placed for quadratic forms up to
 * {@code (R s)^2}, {@code R = }{@value #COVERED_RADIUS}, {@code s^2 = alpha^2 max lambda + sigma^2}
 * (see {@link ChiSquareNodes} for the relative error {@code ~1e-9} inside that radius and what
 * happens outside). At {@code sigma = 0} (only the target) or {@code alpha = 0} (only the base) the
 * vanished side needs no nodes.
 *
 * <p>Immutable and thread-safe; the methods allocate {@code O(K (N + d))} scratch per call.
 */
public final class HeavyTailedMixture {
    /** Radii, in units of the marginal's scale, up to which the grid is built to be accurate. */
    static final double COVERED_RADIUS = 1e4;
    private static final double LOG_TWO_PI = Math.log(2.0 * Math.PI);

    private final int dimension;
    private final int size;
    private final int nodes;
    /** {@code alpha mu_k} at {@code k*d}. */
    private final double[] means;
    /** Per component: {@code U_k} row-major ({@code U[i*d + l]} the {@code i}-th entry of eigenvector {@code l}), or null (axis-aligned). */
    private final double[][] rotations;
    /** Per component: whether {@code Sigma_k} is a multiple of the identity (then one precision per node). */
    private final boolean[] isotropic;
    /** Isotropic components: {@code 1 / c_kn} at {@code k*N + n}; others: {@code 1 / c_knl} at {@code (k*N + n)*d + l}. */
    private final double[][] precisions;
    /** {@code log w_k + log v_n - sum_l log(2 pi c_knl) / 2} at {@code k*N + n}. */
    private final double[] logNormalisers;
    /** One centred isotropic component: the node weights {@code v_n} and variances {@code c_n}; else null. */
    private final double[] radialWeights;
    private final double[] radialVariances;

    private HeavyTailedMixture(GaussianMixture mixture, double targetDf, double baseDf, double alpha, double sigma) {
        int d = mixture.dimension();
        this.dimension = d;
        this.size = mixture.size();
        double a2 = alpha * alpha;
        double s2 = sigma * sigma;
        this.means = new double[size * d];
        this.rotations = new double[size][];
        this.isotropic = new boolean[size];
        double[] eigenvalues = new double[size * d];
        double lambdaMin = Double.POSITIVE_INFINITY;
        double lambdaMax = 0.0;
        for (int k = 0; k < size; k++) {
            GaussianMixture.Gaussian g = mixture.components().get(k);
            double[] mu = g.mean();
            for (int i = 0; i < d; i++) {
                means[k * d + i] = alpha * mu[i];
            }
            isotropic[k] = g.form() == Form.SCALAR;
            if (g.form() == Form.FULL) {
                double[][] c = new double[d][d];
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        c[i][j] = g.covariance(i, j);
                    }
                }
                EigenDecompositionSymmetric eigen = new EigenDecompositionSymmetric(new Array2DRowRealMatrix(c, false));
                double[] u = new double[d * d];
                for (int l = 0; l < d; l++) {
                    eigenvalues[k * d + l] = eigen.getEigenvalue(l);
                    RealVector v = eigen.getEigenvector(l);
                    for (int i = 0; i < d; i++) {
                        u[i * d + l] = v.getEntry(i);
                    }
                }
                rotations[k] = u;
            } else {
                for (int l = 0; l < d; l++) {
                    eigenvalues[k * d + l] = g.covariance(l, l);
                }
            }
            for (int l = 0; l < d; l++) {
                double lambda = eigenvalues[k * d + l];
                if (!(lambda > 0) || Double.isInfinite(lambda)) {
                    throw new IllegalArgumentException("component " + k + " of the target has a covariance that is not"
                            + " positive definite (eigenvalue " + lambda + ")");
                }
                lambdaMin = Math.min(lambdaMin, lambda);
                lambdaMax = Math.max(lambdaMax, lambda);
            }
        }
        // The mixing grids: S_i = nu_x e^{-v_i} (v = log V), T_j = nu_b e^{-u_j} (u = log W).
        double covered = COVERED_RADIUS * COVERED_RADIUS * (a2 * lambdaMax + s2);
        double[][] data = Double.isFinite(targetDf) && a2 > 0
                ? grid(targetDf, d, covered / (a2 * lambdaMin * targetDf)) : null;
        double[][] base = Double.isFinite(baseDf) && s2 > 0 ? grid(baseDf, d, covered / (s2 * baseDf)) : null;
        // An isotropic Student-t under a Student-t base: only c = P + Q matters, one grid in log c.
        double[][] sum = data != null && base != null && size == 1 && isotropic[0]
                ? ChiSquareNodes.sumNodes(targetDf, a2 * lambdaMax, baseDf, s2, d, covered, ChiSquareNodes.EPSILON)
                : null;
        int nx = sum != null || data == null ? 1 : data[0].length;
        int nb = sum != null ? sum[0].length : base == null ? 1 : base[0].length;
        this.nodes = nx * nb;
        double[] dataFactor = new double[nodes];
        double[] noiseVariance = new double[nodes];
        double[] logNodeWeights = new double[nodes];
        for (int i = 0; i < nx; i++) {
            for (int j = 0; j < nb; j++) {
                int n = i * nb + j;
                if (sum != null) {
                    noiseVariance[n] = sum[0][j];
                    logNodeWeights[n] = sum[1][j];
                    continue;
                }
                dataFactor[n] = data == null ? a2 : a2 * targetDf * Math.exp(-data[0][i]);
                noiseVariance[n] = base == null ? s2 : s2 * baseDf * Math.exp(-base[0][j]);
                logNodeWeights[n] = (data == null ? 0.0 : data[1][i]) + (base == null ? 0.0 : base[1][j]);
            }
        }
        double[] weights = mixture.weights();
        this.precisions = new double[size][];
        this.logNormalisers = new double[size * nodes];
        for (int k = 0; k < size; k++) {
            double[] p = new double[isotropic[k] ? nodes : nodes * d];
            for (int n = 0; n < nodes; n++) {
                double logDet = 0.0;
                for (int l = 0; l < (isotropic[k] ? 1 : d); l++) {
                    double c = dataFactor[n] * eigenvalues[k * d + l] + noiseVariance[n];
                    if (!(c > 0) || Double.isInfinite(c)) {
                        throw new IllegalArgumentException("the noised target (alpha = " + alpha + ", sigma = " + sigma
                                + ") has a conditional variance " + c + "; it must be finite and > 0");
                    }
                    p[isotropic[k] ? n : n * d + l] = 1.0 / c;
                    logDet += Math.log(c);
                }
                if (isotropic[k]) {
                    logDet *= d;
                }
                logNormalisers[k * nodes + n] = Math.log(weights[k]) + logNodeWeights[n] - 0.5 * logDet
                        - 0.5 * d * LOG_TWO_PI;
            }
            precisions[k] = p;
        }
        boolean centred = true;
        for (double m : means) {
            centred &= m == 0.0;
        }
        if (size == 1 && isotropic[0] && centred) {
            this.radialWeights = new double[nodes];
            this.radialVariances = new double[nodes];
            for (int n = 0; n < nodes; n++) {
                radialWeights[n] = Math.exp(logNodeWeights[n]);
                radialVariances[n] = dataFactor[n] * eigenvalues[0] + noiseVariance[n];
            }
        } else {
            this.radialWeights = null;
            this.radialVariances = null;
        }
    }

    /**
     * The {@code p}-quantile of the radius {@code |X_t|} when the law is one centred isotropic
     * component (a Student-t {@code t_nu(0, v I)}, or {@code N(0, v I)}, under either base): given
     * the node, {@code |X_t|^2 = c_n chi^2_d}, so {@code P(|X_t| <= r) = sum_n v_n F_{chi^2_d}(r^2 / c_n)},
     * inverted by bisection in {@code log r} to {@code 1e-12} relative.
     *
     * @throws IllegalStateException for any other law
     */
    public double radialQuantile(double p) {
        if (radialWeights == null) {
            throw new IllegalStateException("the radial law is tabulated only for one centred isotropic component");
        }
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("a quantile level must lie in (0, 1), got " + p);
        }
        ChiSquaredDistribution chi2 = new ChiSquaredDistribution(dimension);
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0.0;
        for (double c : radialVariances) {
            lo = Math.min(lo, c);
            hi = Math.max(hi, c);
        }
        // Every node's quantile brackets the mixture's.
        double logLo = 0.5 * Math.log(lo * chi2.inverseCumulativeProbability(p)) - 1.0;
        double logHi = 0.5 * Math.log(hi * chi2.inverseCumulativeProbability(p)) + 1.0;
        while (logHi - logLo > 1e-12) {
            double mid = 0.5 * (logLo + logHi);
            double r2 = Math.exp(2.0 * mid);
            double cdf = 0.0;
            for (int n = 0; n < nodes; n++) {
                cdf += radialWeights[n] * chi2.cumulativeProbability(r2 / radialVariances[n]);
            }
            if (cdf < p) {
                logLo = mid;
            } else {
                logHi = mid;
            }
        }
        return Math.exp(0.5 * (logLo + logHi));
    }

    /** The trapezoid grid of {@link ChiSquareNodes} for {@code nu} covering {@code q / (B nu)} up to {@code ratio}. */
    private static double[][] grid(double nu, int d, double ratio) {
        double eps = ChiSquareNodes.EPSILON;
        double h = ChiSquareNodes.step(0.5 * (nu + d), eps);
        return ChiSquareNodes.nodes(nu, ChiSquareNodes.lowerEnd(nu, d, ratio, eps), ChiSquareNodes.upperEnd(nu, d, eps), h);
    }

    /**
     * The law of {@code alpha X + sigma Z}: {@code X ~ mixture} scaled by a chi-square variable of
     * {@code targetDf} degrees of freedom (finite: a Student-t, one component) or not
     * ({@code +infinity}: the mixture itself), {@code Z} a standard Student-t of {@code baseDf}
     * degrees of freedom ({@code +infinity}: Gaussian).
     */
    public static HeavyTailedMixture of(GaussianMixture mixture, double targetDf, double baseDf, double alpha,
            double sigma) {
        requireNonNull(mixture, "mixture is null");
        if (!(targetDf > 0) || !(baseDf > 0)) {
            throw new IllegalArgumentException("degrees of freedom must be > 0, got " + targetDf + " and " + baseDf);
        }
        if (Double.isFinite(targetDf) && mixture.size() != 1) {
            throw new IllegalArgumentException("a Student-t target has one component, got " + mixture.size());
        }
        if (!Double.isFinite(alpha) || !(sigma >= 0) || Double.isInfinite(sigma) || (alpha == 0 && sigma == 0)) {
            throw new IllegalArgumentException("need a finite alpha and a finite sigma >= 0, not both 0, got alpha = "
                    + alpha + ", sigma = " + sigma);
        }
        return new HeavyTailedMixture(mixture, targetDf, baseDf, alpha, sigma);
    }

    public int dimension() {
        return dimension;
    }

    /** The number of quadrature nodes {@code N} per component. */
    public int nodes() {
        return nodes;
    }

    /** {@code grad log p_t} of {@code rows} points {@code x[offset + r*d ..]} into {@code out[r*d ..]}. */
    public void score(double[] x, int offset, int rows, double[] out) {
        evaluate(x, offset, rows, out, null, null);
    }

    /** The normalised {@code log p_t} (of the quadrature) of {@code rows} points into {@code out[0 .. rows)}. */
    public void logDensity(double[] x, int offset, int rows, double[] out) {
        evaluate(x, offset, rows, null, out, null);
    }

    /** The number of mixture components {@code K}. */
    public int size() {
        return size;
    }

    /** The component with the largest posterior probability {@code sum_n r_kn} for the point at {@code x[offset ..]}. */
    public int mostResponsible(double[] x, int offset) {
        double[] posterior = new double[size];
        evaluate(x, offset, 1, null, null, posterior);
        int best = 0;
        for (int k = 1; k < size; k++) {
            if (posterior[k] > posterior[best]) {
                best = k;
            }
        }
        return best;
    }

    private void evaluate(double[] x, int offset, int rows, double[] scoreOut, double[] logOut, double[] respOut) {
        int d = dimension;
        int kn = size * nodes;
        double[] logits = new double[kn];
        // y_k = U_k^T (x - m_k), and y_k^2, at k*d
        double[] y = new double[size * d];
        double[] y2 = new double[size * d];
        double[] z = new double[d];
        for (int r = 0; r < rows; r++) {
            int xo = offset + r * d;
            for (int k = 0; k < size; k++) {
                int mo = k * d;
                double[] u = rotations[k];
                if (u == null) {
                    for (int i = 0; i < d; i++) {
                        y[mo + i] = x[xo + i] - means[mo + i];
                    }
                } else {
                    for (int l = 0; l < d; l++) {
                        y[mo + l] = 0.0;
                    }
                    for (int i = 0; i < d; i++) {
                        double e = x[xo + i] - means[mo + i];
                        int uo = i * d;
                        for (int l = 0; l < d; l++) {
                            y[mo + l] += u[uo + l] * e;
                        }
                    }
                }
                double q = 0.0;
                for (int l = 0; l < d; l++) {
                    y2[mo + l] = y[mo + l] * y[mo + l];
                    q += y2[mo + l];
                }
                double[] p = precisions[k];
                int lo = k * nodes;
                if (isotropic[k]) {
                    for (int n = 0; n < nodes; n++) {
                        logits[lo + n] = logNormalisers[lo + n] - 0.5 * q * p[n];
                    }
                } else {
                    for (int n = 0; n < nodes; n++) {
                        int po = n * d;
                        double quad = 0.0;
                        for (int l = 0; l < d; l++) {
                            quad += y2[mo + l] * p[po + l];
                        }
                        logits[lo + n] = logNormalisers[lo + n] - 0.5 * quad;
                    }
                }
            }
            double logSum = Softmax.apply(logits, 0, kn, 1);
            if (logOut != null) {
                logOut[r] = logSum;
            }
            if (respOut != null) {
                for (int k = 0; k < size; k++) {
                    double p = 0.0;
                    for (int n = 0; n < nodes; n++) {
                        p += logits[k * nodes + n];
                    }
                    respOut[r * size + k] = p;
                }
            }
            if (scoreOut == null) {
                continue;
            }
            int so = r * d;
            for (int i = 0; i < d; i++) {
                scoreOut[so + i] = 0.0;
            }
            for (int k = 0; k < size; k++) {
                int mo = k * d;
                int lo = k * nodes;
                double[] p = precisions[k];
                double[] u = rotations[k];
                // z_l = (sum_n r_kn / c_knl) y_kl
                if (isotropic[k]) {
                    double s = 0.0;
                    for (int n = 0; n < nodes; n++) {
                        s += logits[lo + n] * p[n];
                    }
                    for (int l = 0; l < d; l++) {
                        z[l] = s * y[mo + l];
                    }
                } else {
                    for (int l = 0; l < d; l++) {
                        z[l] = 0.0;
                    }
                    for (int n = 0; n < nodes; n++) {
                        double w = logits[lo + n];
                        int po = n * d;
                        for (int l = 0; l < d; l++) {
                            z[l] += w * p[po + l];
                        }
                    }
                    for (int l = 0; l < d; l++) {
                        z[l] *= y[mo + l];
                    }
                }
                if (u == null) {
                    for (int i = 0; i < d; i++) {
                        scoreOut[so + i] -= z[i];
                    }
                } else {
                    for (int i = 0; i < d; i++) {
                        int uo = i * d;
                        double s = 0.0;
                        for (int l = 0; l < d; l++) {
                            s += u[uo + l] * z[l];
                        }
                        scoreOut[so + i] -= s;
                    }
                }
            }
        }
    }
}
