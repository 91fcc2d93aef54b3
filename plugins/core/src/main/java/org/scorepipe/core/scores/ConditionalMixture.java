package org.scorepipe.core.scores;

import static java.util.Objects.requireNonNull;

import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.core.kernels.Cholesky;

/**
 * The law of a noised patch of a Gaussian mixture given the clean coordinates before it, the
 * conditional that chained Langevin dynamics samples patch by patch (Cheng, Fu, Farnia, "On the
 * mode-seeking properties of Langevin dynamics", arXiv 2406.02017).
 *
 * <p>For {@code X ~ sum_k w_k N(mu_k, Sigma_k)}, the prefix {@code A = [0, a)} and the patch
 * {@code B = [a, b)}, the conditional of a Gaussian mixture is a Gaussian mixture with reweighted
 * components; noising the patch, {@code Y = alpha X_B + sigma Z}, adds {@code sigma^2 I}:
 * <pre>
 *   p(y | x_A) = sum_k pi_k(x_A) N(y; alpha m_k(x_A), C_k),
 *   pi_k(x_A)  ∝ w_k N(x_A; mu_kA, Sigma_kAA),
 *   m_k(x_A)   = mu_kB + G_k (x_A - mu_kA),      G_k = Sigma_kBA Sigma_kAA^{-1},
 *   C_k        = alpha^2 (Sigma_kBB - G_k Sigma_kAB) + sigma^2 I,
 *   grad_y log p(y | x_A) = -sum_k r_k P_k (y - alpha m_k),   P_k = C_k^{-1},
 *   r_k        = softmax_k( log w_k - log det Sigma_kAA / 2 - |L_kA^{-1} (x_A - mu_kA)|^2 / 2
 *                           - log det C_k / 2 - (y - alpha m_k)^T P_k (y - alpha m_k) / 2 )
 * </pre>
 * ({@code L_kA} the Cholesky factor of {@code Sigma_kAA}; the normaliser of {@code pi} cancels in
 * the softmax). Everything that depends only on the patch and on {@code (alpha, sigma)} is computed
 * once here. When no component is {@code FULL}, every covariance is diagonal, {@code G_k = 0} and
 * the per-point work is {@code O(K b)}; otherwise it is {@code O(K (a^2 + a q + q^2))},
 * {@code q = b - a}.
 *
 * <p>The work splits as {@link org.scorepipe.api.ConditionalScore} asks: what depends on the clean
 * prefix alone is a point's state ({@link Prefix#state}: the {@code K} prefix terms
 * {@code |L_kA^{-1} (x_A - mu_kA)|^2}, and with a full component the {@code K q} conditional means
 * {@code m_k(x_A)}), computed once per patch; the score of the patch's current values at a time
 * ({@link #score}) is then {@code O(K q)} (diagonal) or {@code O(K q^2)} per point, whatever the
 * prefix length. The sums are the same, in the same order, as computed in one pass: the state
 * changes no bit.
 *
 * <p>Immutable and thread-safe; the score allocates scratch of {@code O(K q)} per call.
 */
final class ConditionalMixture {
    private final Prefix prefix;
    private final double alpha;
    /** {@code log w_k - log det Sigma_kAA / 2 - log det C_k / 2}. */
    private final double[] logNormalisers;
    /** Diagonal: {@code 1 / C_k[j][j]} at {@code k*q + j}. Full: {@code P_k}, {@code q x q}, at {@code k*q*q}. */
    private final double[] patchPrecision;

    /** The conditional of the patch of {@code prefix} noised to {@code Y = alpha X_B + sigma Z}. */
    ConditionalMixture(Prefix prefix, double alpha, double sigma) {
        this.prefix = requireNonNull(prefix, "prefix is null");
        this.alpha = alpha;
        int size = prefix.size;
        int q = prefix.patch;
        int from = prefix.from;
        this.logNormalisers = new double[size];
        this.patchPrecision = new double[prefix.diagonal ? size * q : size * q * q];
        double a2 = alpha * alpha;
        double s2 = sigma * sigma;
        double[] weights = prefix.mixture.weights();
        for (int k = 0; k < size; k++) {
            GaussianMixture.Gaussian g = prefix.mixture.components().get(k);
            double logDet = prefix.logDeterminants[k];
            if (prefix.diagonal) {
                for (int j = 0; j < q; j++) {
                    double c = a2 * g.covariance(from + j, from + j) + s2;
                    requirePositive(c, k);
                    patchPrecision[k * q + j] = 1.0 / c;
                    logDet += Math.log(c);
                }
            } else {
                logDet = fullPatch(g, k, logDet, a2, s2);
            }
            logNormalisers[k] = Math.log(weights[k]) - 0.5 * logDet;
        }
    }

    /** Fills component k's patch precision {@code P_k = C_k^{-1}}; returns {@code logDet + log det C_k}. */
    private double fullPatch(GaussianMixture.Gaussian g, int k, double logDet, double a2, double s2) {
        int a = prefix.prefix;
        int q = prefix.patch;
        int from = prefix.from;
        double[] gains = prefix.gains;
        int go = k * q * a;
        // C = alpha^2 (Sigma_BB - G Sigma_AB) + sigma^2 I, symmetrised against rounding.
        double[] c = new double[q * q];
        for (int i = 0; i < q; i++) {
            for (int j = 0; j <= i; j++) {
                double s = g.covariance(from + i, from + j);
                for (int m = 0; m < a; m++) {
                    s -= gains[go + i * a + m] * g.covariance(m, from + j);
                }
                double cij = a2 * s + (i == j ? s2 : 0.0);
                c[i * q + j] = cij;
                c[j * q + i] = cij;
            }
        }
        double[] lc = cholesky(c, q, k);
        Cholesky.inverseFromLowerInverse(Cholesky.lowerInverse(lc, q), q, patchPrecision, k * q * q);
        return Cholesky.addLogDeterminant(logDet, lc, q);
    }

    private static void requirePositive(double variance, int k) {
        if (!(variance > 0) || Double.isInfinite(variance)) {
            throw new IllegalArgumentException("component " + k + " of the conditional mixture has variance " + variance
                    + "; variances must be finite and > 0");
        }
    }

    /** The lower Cholesky factor of component {@code k}'s {@code n x n} matrix {@code m}. */
    private static double[] cholesky(double[] m, int n, int k) {
        double[] l = Cholesky.lower(m, n);
        if (l == null) {
            throw new IllegalArgumentException("component " + k + " of the conditional mixture has a"
                    + " covariance that is not positive definite");
        }
        return l;
    }

    /** The part that does not depend on the time. */
    Prefix prefix() {
        return prefix;
    }

    /**
     * {@code grad_y log p(y | x_A)} of {@code rows} full rows of {@code d} coordinates at
     * {@code x[offset + r*d ..]} (patch {@code y = [a, b)}) into {@code out[r*q .. r*q + q)}, from
     * their states ({@link Prefix#state}) at {@code state[stateOffset + r*w ..]}.
     */
    void score(double[] x, int offset, int rows, int d, double[] state, int stateOffset, double[] out) {
        int size = prefix.size;
        int a = prefix.prefix;
        int q = prefix.patch;
        int w = prefix.width();
        double[] patchMeans = prefix.patchMeans;
        double[] logits = new double[size];
        double[] residuals = new double[size * q];
        double[] gradients = new double[size * q];
        for (int r = 0; r < rows; r++) {
            int yo = offset + r * d + a;
            int so = stateOffset + r * w;
            for (int k = 0; k < size; k++) {
                // The prefix's term first, then the patch's, as one pass over the row would add them.
                double quad = state[so + k];
                int eo = k * q;
                if (prefix.diagonal) {
                    for (int j = 0; j < q; j++) {
                        double e = x[yo + j] - alpha * patchMeans[eo + j];
                        double g = patchPrecision[eo + j] * e;
                        gradients[eo + j] = g;
                        quad += e * g;
                    }
                } else {
                    int mo = so + size + eo;
                    for (int j = 0; j < q; j++) {
                        residuals[eo + j] = x[yo + j] - alpha * state[mo + j];
                    }
                    int co = k * q * q;
                    for (int i = 0; i < q; i++) {
                        double s = 0.0;
                        for (int j = 0; j < q; j++) {
                            s += patchPrecision[co + i * q + j] * residuals[eo + j];
                        }
                        gradients[eo + i] = s;
                        quad += residuals[eo + i] * s;
                    }
                }
                logits[k] = logNormalisers[k] - 0.5 * quad;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < size; k++) {
                max = Math.max(max, logits[k]);
            }
            double total = 0.0;
            for (int k = 0; k < size; k++) {
                logits[k] = Math.exp(logits[k] - max);
                total += logits[k];
            }
            int o = r * q;
            for (int j = 0; j < q; j++) {
                double s = 0.0;
                for (int k = 0; k < size; k++) {
                    s -= logits[k] * gradients[k * q + j];
                }
                out[o + j] = s / total;
            }
        }
    }

    /**
     * What the conditional of the patch {@code [from, to)} takes from the prefix, for every time:
     * the prefix's precisions and log-determinants, the gains {@code G_k}, and a point's state.
     */
    static final class Prefix {
        private final GaussianMixture mixture;
        private final int size;
        private final int from;
        private final int prefix;
        private final int patch;
        private final boolean diagonal;
        /** {@code log det Sigma_kAA}, at {@code k}. */
        private final double[] logDeterminants;
        /** {@code mu_kA} at {@code k*a}. */
        private final double[] prefixMeans;
        /** {@code mu_kB} at {@code k*q}. */
        private final double[] patchMeans;
        /** Diagonal: {@code 1 / Sigma_kAA[i][i]} at {@code k*a + i}. Full: {@code W_k = L_kA^{-1}}, {@code a x a}, at {@code k*a*a}. */
        private final double[] prefixPrecision;
        /** Full only: {@code G_k}, {@code q x a}, at {@code k*q*a}. */
        private final double[] gains;

        Prefix(GaussianMixture mixture, int from, int to) {
            this.mixture = requireNonNull(mixture, "mixture is null");
            int d = mixture.dimension();
            if (from < 0 || to <= from || to > d) {
                throw new IllegalArgumentException("the patch [" + from + ", " + to + ") is not inside [0, " + d + ")");
            }
            this.size = mixture.size();
            this.from = from;
            this.prefix = from;
            this.patch = to - from;
            int a = prefix;
            int q = patch;
            boolean anyFull = false;
            for (GaussianMixture.Gaussian g : mixture.components()) {
                anyFull |= g.form() == Form.FULL;
            }
            this.diagonal = !anyFull;
            this.logDeterminants = new double[size];
            this.prefixMeans = new double[size * a];
            this.patchMeans = new double[size * q];
            this.prefixPrecision = new double[diagonal ? size * a : size * a * a];
            this.gains = diagonal ? null : new double[size * q * a];
            for (int k = 0; k < size; k++) {
                GaussianMixture.Gaussian g = mixture.components().get(k);
                double[] mu = g.mean();
                System.arraycopy(mu, 0, prefixMeans, k * a, a);
                System.arraycopy(mu, from, patchMeans, k * q, q);
                if (diagonal) {
                    double logDet = 0.0;
                    for (int i = 0; i < a; i++) {
                        double v = g.covariance(i, i);
                        prefixPrecision[k * a + i] = 1.0 / v;
                        logDet += Math.log(v);
                    }
                    logDeterminants[k] = logDet;
                } else {
                    logDeterminants[k] = fullPrefix(g, k);
                }
            }
        }

        boolean covers(int from, int to) {
            return this.from == from && this.patch == to - from;
        }

        /** Fills component k's prefix precision {@code W_k} and gain {@code G_k}; returns {@code log det Sigma_kAA}. */
        private double fullPrefix(GaussianMixture.Gaussian g, int k) {
            int a = prefix;
            int q = patch;
            double[] saa = new double[a * a];
            for (int i = 0; i < a; i++) {
                for (int j = 0; j < a; j++) {
                    saa[i * a + j] = g.covariance(i, j);
                }
            }
            double[] l = cholesky(saa, a, k);
            double logDet = Cholesky.logDeterminant(l, a);
            double[] w = Cholesky.lowerInverse(l, a);
            System.arraycopy(w, 0, prefixPrecision, k * a * a, a * a);
            // G = Sigma_BA Sigma_AA^{-1} = Sigma_BA W^T W: row j of G is W^T (W Sigma_AB[:, j]).
            double[] v = new double[a];
            int go = k * q * a;
            for (int j = 0; j < q; j++) {
                for (int i = 0; i < a; i++) {
                    double s = 0.0;
                    for (int m = 0; m <= i; m++) {
                        s += w[i * a + m] * g.covariance(m, from + j);
                    }
                    v[i] = s;
                }
                for (int i = 0; i < a; i++) {
                    double s = 0.0;
                    for (int m = i; m < a; m++) {
                        s += w[m * a + i] * v[m];
                    }
                    gains[go + j * a + i] = s;
                }
            }
            return logDet;
        }

        /** Doubles of state per point: {@code K} prefix terms, and with a full component {@code K q} conditional means. */
        int width() {
            return diagonal ? size : size * (1 + patch);
        }

        /**
         * The states of {@code rows} full rows of {@code d} coordinates at {@code x[offset + r*d ..]}
         * into {@code state[stateOffset + r*w ..]}: {@code |L_kA^{-1} (x_A - mu_kA)|^2} at {@code k},
         * then (full) {@code m_k(x_A) = mu_kB + G_k (x_A - mu_kA)} at {@code K + k*q}.
         */
        void state(double[] x, int offset, int rows, int d, double[] state, int stateOffset) {
            int a = prefix;
            int q = patch;
            int w = width();
            double[] z = new double[a];
            for (int r = 0; r < rows; r++) {
                int xo = offset + r * d;
                int so = stateOffset + r * w;
                for (int k = 0; k < size; k++) {
                    double quad = 0.0;
                    int po = k * a;
                    if (diagonal) {
                        for (int i = 0; i < a; i++) {
                            double zi = x[xo + i] - prefixMeans[po + i];
                            quad += zi * zi * prefixPrecision[po + i];
                        }
                    } else {
                        for (int i = 0; i < a; i++) {
                            z[i] = x[xo + i] - prefixMeans[po + i];
                        }
                        int wo = k * a * a;
                        for (int i = 0; i < a; i++) {
                            double s = 0.0;
                            for (int m = 0; m <= i; m++) {
                                s += prefixPrecision[wo + i * a + m] * z[m];
                            }
                            quad += s * s;
                        }
                        int go = k * q * a;
                        int mo = so + size + k * q;
                        for (int j = 0; j < q; j++) {
                            double m = patchMeans[k * q + j];
                            for (int i = 0; i < a; i++) {
                                m += gains[go + j * a + i] * z[i];
                            }
                            state[mo + j] = m;
                        }
                    }
                    state[so + k] = quad;
                }
            }
        }
    }
}
