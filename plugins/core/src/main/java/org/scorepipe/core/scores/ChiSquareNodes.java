package org.scorepipe.core.scores;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.hipparchus.special.Gamma;

/**
 * The trapezoid rule in {@code u = log W} for expectations over the chi-square mixing variable of a
 * Student-t, {@code E[f(W)]} with {@code W ~ chi^2_nu}: the density of {@code u} is
 * <pre>
 *   g(u) = exp(nu u / 2 - e^u / 2) / (2^{nu/2} Gamma(nu / 2)),
 *   E[f(W)] ~ sum_j h g(u_j) f(e^{u_j}),   u_j = u_lo + j h,   j = 0 .. N - 1
 * </pre>
 * with the weights {@code h g(u_j)} renormalised to sum to one (so the rule is exact for constant
 * {@code f}). The integrands here are {@code f(W) = N(x; m, A + B nu / W)} (a Gaussian with the
 * Student-t's conditional variance, per coordinate), whose product with {@code g} is, in the
 * far tail of {@code x}, {@code exp(a u - b e^u)} with {@code a = (nu + d) / 2} and, in the bulk,
 * the same with {@code a = nu / 2}.
 *
 * <p><b>Step.</b> The trapezoid rule on the whole line errs by the integrand's Fourier transform at
 * {@code 2 pi / h} (Poisson summation; Trefethen &amp; Weideman, "The exponentially convergent
 * trapezoidal rule", SIAM Rev. 56 (2014), section 5). For {@code exp(a u - b e^u)} that transform
 * is {@code Gamma(a + i w) / b^{a + i w}}, so the relative error is {@code 2 |Gamma(a + i w) / Gamma(a)|}
 * at {@code w = 2 pi / h}, whatever {@code b} (i.e. whatever {@code x}). {@link #step} takes the
 * largest {@code h} with that bound below {@code epsilon}, from
 * {@code log |Gamma(a + i w) / Gamma(a)| = -(1/2) sum_{n >= 0} log(1 + w^2 / (a + n)^2)}, at the
 * larger (worse) {@code a = (nu + d) / 2}.
 *
 * <p><b>Range.</b> Above: {@link #upperEnd}, where the heaviest right tail has fallen below
 * {@code epsilon e^{-5}} of its peak. Below: {@link #lowerEnd}, where the far-tail integrand of the
 * largest quadratic form {@code q = |x - m|^2} the grid is asked to cover (see
 * {@link HeavyTailedMixture}: {@code 10^4} times the marginal's scale) has less than
 * {@code epsilon} of its mass left, and so has the bulk's. A point beyond that radius gets the
 * posterior of the grid's widest node: its score falls off like {@code -x / c_max} instead of
 * {@code -(nu + d) x / |x|^2}, still a pull towards the centre.
 *
 * <p><b>Measured</b> with {@code epsilon = 1e-9}: the worst relative error of
 * {@code E[N(x; 0, (A + B nu / W) I_d)]} over {@code q = |x|^2 / (A + B) in {0, 1, 10^2, 10^4, 10^8}}
 * and {@code (A, B) in {(1, 0.01), (0.5, 0.5), (0, 1)}}, against SciPy 1.17.1's adaptive
 * {@code quad} ({@code epsrel = 1e-13}), by a NumPy replica of this grid
 * ({@code plugins/core/src/test/python/chi_square_nodes_table.py}, {@code python3} it):
 * <pre>
 *    nu     d     h       nodes N   worst relative error
 *    3      1     0.371   85        1.0e-9
 *    3      2     0.355   82        9.1e-10
 *    2.5    8     0.296   83        9.9e-10
 *    10     2     0.285   80        9.1e-10
 *    5      32    0.194   105       7.2e-10
 *    3      100   0.126   156       8.5e-10
 * </pre>
 * So about 80 nodes in low dimension: more than "a few dozen", because the grid must reach the far
 * tail ({@code u} down to about {@code -25} for {@code R = 10^4}) at the step the bulk needs; a
 * radius of {@code 10^2} would move the lower end up by {@code log 10^4 = 9.2}, about 26 nodes. (The same rule with the earlier, cruder ends,
 * {@code u in [log(2a / (1 + ratio)) + log(eps) / a, 4.5]}, erred by up to {@code 1e-5} at
 * {@code d = 32}: the right end must move with {@code d}.)
 *
 * <p>Stateless but for a memo of {@link #step}'s answers.
 */
final class ChiSquareNodes {
    /** The trapezoid error every grid is built for. */
    static final double EPSILON = 1e-9;

    private ChiSquareNodes() {
    }

    /** {@link #step}'s answers, keyed by {@code (a, epsilon)}: a bisection over a 4000-term product is worth keeping. */
    private static final ConcurrentHashMap<List<Double>, Double> STEPS = new ConcurrentHashMap<>();

    /** The largest step with {@code 2 |Gamma(a + 2 pi i / h) / Gamma(a)| <= epsilon}. */
    static double step(double a, double epsilon) {
        return STEPS.computeIfAbsent(List.of(a, epsilon), key -> solveStep(a, epsilon));
    }

    private static double solveStep(double a, double epsilon) {
        double target = Math.log(0.5 * epsilon);
        double lo = 1.0;
        double hi = 1.0;
        while (logGammaRatio(a, hi) > target) {
            lo = hi;
            hi *= 2.0;
        }
        for (int i = 0; i < 60; i++) {
            double mid = 0.5 * (lo + hi);
            if (logGammaRatio(a, mid) > target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 2.0 * Math.PI / hi;
    }

    /** {@code log |Gamma(a + i w) / Gamma(a)|}, from the product formula with an integral for its tail. */
    static double logGammaRatio(double a, double w) {
        int terms = 4000;
        double s = 0.0;
        double w2 = w * w;
        for (int n = 0; n < terms; n++) {
            double b = a + n;
            s += Math.log1p(w2 / (b * b));
        }
        // int_c^inf log(1 + w^2 / y^2) dy = pi w - c log(1 + w^2 / c^2) - 2 w atan(c / w), c = a + terms - 1/2 (midpoint-matched).
        double c = a + terms - 0.5;
        s += 2.0 * w * (0.5 * Math.PI - Math.atan(c / w)) - c * Math.log1p(w2 / (c * c));
        return -0.5 * s;
    }

    /**
     * The {@code u} above which {@code exp(a u - e^u / 2)}, {@code a = (nu + d) / 2}, falls below
     * {@code epsilon e^{-5}} of its peak (at {@code u = log 2a}): the heaviest right tail the
     * integrands have (a Gaussian factor {@code c^{-d/2}} with {@code c ~ B nu e^{-u}} pushes the
     * chi-square's peak from {@code log nu} to {@code log(nu + d)}).
     */
    static double upperEnd(double nu, int d, double epsilon) {
        double a = 0.5 * (nu + d);
        double floor = Math.log(epsilon) - 5.0;
        double peak = Math.log(2.0 * a);
        double u = peak;
        while (a * (u - peak) - 0.5 * (Math.exp(u) - 2.0 * a) > floor) {
            u += 0.01;
        }
        return u;
    }

    /**
     * The lowest node needed for quadratic forms up to {@code ratio = q / (B nu)} in {@code d}
     * dimensions. The integrand {@code exp(a u - b e^u)} peaks at {@code u* = log(a / b)} and holds
     * {@code e^{a (u - u*)} a^a / Gamma(a + 1)} of its mass left of {@code u}; that is
     * {@code epsilon} at {@code u* + [log epsilon + log Gamma(a + 1) - a log a] / a}. Taken for the
     * far tail ({@code a = (nu + d) / 2}, {@code b = (1 + ratio) / 2}) and for the bulk
     * ({@code a = nu / 2}, {@code b = 1 / 2}), whichever is lower.
     */
    static double lowerEnd(double nu, int d, double ratio, double epsilon) {
        double a = 0.5 * (nu + d);
        double tail = Math.log(2.0 * a / (1.0 + ratio)) + leftMargin(a, epsilon);
        double bulk = Math.log(nu) + leftMargin(0.5 * nu, epsilon);
        return Math.min(tail, bulk);
    }

    /** {@code [log epsilon + log Gamma(a + 1) - a log a] / a}. */
    private static double leftMargin(double a, double epsilon) {
        return (Math.log(epsilon) + Gamma.logGamma(a + 1.0) - a * Math.log(a)) / a;
    }

    /**
     * Nodes {@code u_j} from {@code lo} to at least {@code hi} by {@code h}, into
     * {@code out[0] = u}, {@code out[1] = log} of the normalised weights.
     */
    static double[][] nodes(double nu, double lo, double hi, double h) {
        int n = (int) Math.ceil((hi - lo) / h) + 1;
        double[] u = new double[n];
        double[] logWeights = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            u[j] = lo + j * h;
            logWeights[j] = 0.5 * nu * u[j] - 0.5 * Math.exp(u[j]);
            max = Math.max(max, logWeights[j]);
        }
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(logWeights[j] - max);
        }
        double norm = max + Math.log(sum);
        for (int j = 0; j < n; j++) {
            logWeights[j] -= norm;
        }
        return new double[][] {u, logWeights};
    }

    /** {@code log g_nu(u)}, the normalised log density of {@code u = log W}, {@code W ~ chi^2_nu}. */
    static double logDensity(double nu, double u) {
        return 0.5 * nu * u - 0.5 * Math.exp(u) - 0.5 * nu * Math.log(2.0) - Gamma.logGamma(0.5 * nu);
    }

    /**
     * Nodes for the sum {@code c = P + Q} of two scaled inverse chi-squares,
     * {@code P = p nu_x / V}, {@code Q = s nu_b / W}, when only {@code c} matters (an isotropic
     * Student-t target under a Student-t base): the trapezoid rule in {@code l = log c} with the
     * density of {@code log c} at each node,
     * <pre>
     *   G(l) = int f_{log P}(l - softplus(-e)) f_{log Q}(l - softplus(e)) de,
     *   f_{log P}(y) = g_{nu_x}(log(p nu_x) - y),   f_{log Q}(y) = g_{nu_b}(log(s nu_b) - y)
     * </pre>
     * ({@code (l, e) -> (log P, log Q) = (l - softplus(-e), l - softplus(e))} has Jacobian 1), itself
     * a trapezoid rule in {@code e}. The outer step is {@link #step} at
     * {@code a = (nu_x + nu_b + d) / 2} and {@code epsilon / 10}, the inner at {@code max(nu) / 2}; the outer range runs from
     * {@code log(P_lo + Q_lo)} (each at its variable's {@link #upperEnd}) to the far-tail end for
     * {@code q} up to {@code qMax} with the heavier tail's {@code a = (min(nu) + d) / 2}; the inner
     * range is where both factors live, {@code e in [log P_lo - l - 1, l - log Q_lo + 1]}.
     * Returns {@code out[0] = c_j}, {@code out[1] = } the log weights, normalised.
     */
    static double[][] sumNodes(double nuX, double p, double nuB, double s, int d, double qMax, double epsilon) {
        double nuMax = Math.max(nuX, nuB);
        double nuMin = Math.min(nuX, nuB);
        // The left tail of c needs both P and Q small: a log-gamma shape with a = (nu_x + nu_b + d) / 2
        // (measured: the rule at max(nu) + d erred by 1.4e-8 in the score); a tenth of epsilon for margin.
        double h = step(0.5 * (nuX + nuB + d), 0.1 * epsilon);
        double hInner = step(0.5 * nuMax, epsilon);
        double logP0 = Math.log(p * nuX);
        double logQ0 = Math.log(s * nuB);
        double logPlo = logP0 - upperEnd(nuX, d, epsilon);
        double logQlo = logQ0 - upperEnd(nuB, d, epsilon);
        double lo = Math.log(Math.exp(logPlo) + Math.exp(logQlo));
        double aTail = 0.5 * (nuMin + d);
        double hi = Math.log((Math.exp(logP0) + Math.exp(logQ0) + qMax) / (2.0 * aTail)) - leftMargin(aTail, epsilon);
        int n = (int) Math.ceil((hi - lo) / h) + 1;
        double[] c = new double[n];
        double[] logWeights = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        double innerLogNorm = -0.5 * nuX * Math.log(2.0) - Gamma.logGamma(0.5 * nuX)
                - 0.5 * nuB * Math.log(2.0) - Gamma.logGamma(0.5 * nuB);
        for (int j = 0; j < n; j++) {
            double l = lo + j * h;
            c[j] = Math.exp(l);
            double eLo = logPlo - l - 1.0;
            double eHi = l - logQlo + 1.0;
            int m = (int) Math.ceil((eHi - eLo) / hInner) + 1;
            double innerMax = Double.NEGATIVE_INFINITY;
            double[] terms = new double[m];
            for (int i = 0; i < m; i++) {
                double e = eLo + i * hInner;
                double u = logP0 - l + softplus(-e);
                double w = logQ0 - l + softplus(e);
                terms[i] = 0.5 * nuX * u - 0.5 * Math.exp(u) + 0.5 * nuB * w - 0.5 * Math.exp(w);
                innerMax = Math.max(innerMax, terms[i]);
            }
            double sum = 0.0;
            for (int i = 0; i < m; i++) {
                sum += Math.exp(terms[i] - innerMax);
            }
            logWeights[j] = innerMax + Math.log(sum * hInner) + innerLogNorm;
            max = Math.max(max, logWeights[j]);
        }
        double sum = 0.0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(logWeights[j] - max);
        }
        double norm = max + Math.log(sum);
        for (int j = 0; j < n; j++) {
            logWeights[j] -= norm;
        }
        return new double[][] {c, logWeights};
    }

    /** {@code log(1 + e^x)} without overflow. */
    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }
}
