package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.GaussianMixture;
import org.scorepipe.api.GaussianMixture.Form;
import org.scorepipe.api.GaussianMixture.Gaussian;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.Particles;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.core.scores.HeavyTailedMixture;
import org.scorepipe.core.sources.StudentTSource;

/** The evaluators' references on Student-t targets and Student-t paths. */
class StudentTReferenceTest {
    private static final double[] LEVELS = {0.9, 0.99, 0.999};

    static StudentTSource studentT(double nu, double variance, int d) {
        return new StudentTSource(new StudentTSource.Params(nu, new double[0], new double[] {variance}),
                new PipelineSpec("test", 1, 1, d));
    }

    static InterpolationPath studentTPath(double nu) {
        return new InterpolationPath(new InterpolationPath.Params(InterpolationPath.Schedule.LINEAR,
                InterpolationPath.Base.STUDENT_T, nu, 10.0));
    }

    private static Metrics tailQuantiles(Reference reference, StudentTSource data, double t, Particles particles) {
        return new TailQuantilesEvaluator(new TailQuantilesEvaluator.Params(reference, LEVELS, 0), data,
                studentTPath(3.0)).evaluate(particles, new EvalContext("eval", t, evaluationNoise()));
    }

    /**
     * Against the data the target quantiles are s sqrt(d F^{-1}_{d, nu}(p)); SciPy 1.17.1:
     * {@code np.sqrt(2*1.0*f.ppf(p, 2, 3))} and {@code np.sqrt(3*2.5*f.ppf(p, 3, 5))} for
     * {@code p in [0.9, 0.99, 0.999]}. Hipparchus' quantile is solved to 1e-13: 1e-10 relative.
     */
    @Test
    void tailQuantilesOfAStudentTTargetAreTheFQuantiles() {
        double[][] expected = {{3.305263454074174, 7.85067135351853, 17.23368793961408},
            {5.210190072736976, 9.510502231080642, 15.780319194698706}};
        StudentTSource[] targets = {studentT(3.0, 1.0, 2), studentT(5.0, 2.5, 3)};
        for (int c = 0; c < 2; c++) {
            int d = targets[c].dimension();
            double[] target = tailQuantiles(Reference.DATA, targets[c], 0.5, new Particles(10, d))
                    .vector("target-radial-quantiles");
            for (int l = 0; l < LEVELS.length; l++) {
                assertEquals(expected[c][l], target[l], 1e-10 * expected[c][l], "case " + c + " at " + LEVELS[l]);
            }
        }
    }

    /**
     * Against the noised reference at t = 0.5 of the linear t_3 path (a = s = sqrt(1/2)), t_3(0, I_2)
     * target: P(|a X + s Z| <= r) = E[1 - exp(-r^2 / (2c))], c = a^2 3 / V + s^2 3 / W, by SciPy's
     * dblquad over (log V, log W) on [-40, 6]^2 (epsrel 1e-12) and brentq (xtol 1e-13):
     * <pre>
     *   lg = lambda u: 1.5*u - np.exp(u)/2 - 1.5*np.log(2) - gammaln(1.5)
     *   cdf = lambda r: dblquad(lambda u, v: np.exp(lg(u) + lg(v)) * -np.expm1(-r*r / (2*(1.5*np.exp(-v)
     *                           + 1.5*np.exp(-u)))), -40, 6, -40, 6, epsabs=1e-14, epsrel=1e-12)[0]
     *   brentq(lambda r: cdf(r) - p, 0.1, 100, xtol=1e-13, rtol=1e-13)
     * </pre>
     * The quadratures agree to ~1e-9 each: 1e-8 relative.
     */
    @Test
    void tailQuantilesAgainstTheNoisedReferenceAreExact() {
        double[] expected = {3.4142925009454936, 7.41329097416909, 15.602305572034668};
        double[] target = tailQuantiles(Reference.NOISED, studentT(3.0, 1.0, 2), 0.5, new Particles(10, 2))
                .vector("target-radial-quantiles");
        for (int l = 0; l < LEVELS.length; l++) {
            assertEquals(expected[l], target[l], 1e-8 * expected[l], "at " + LEVELS[l]);
        }
    }

    /**
     * Fresh noised reference samples on a Student-t path carry Student-t noise: their radial
     * quantiles match the exact ones within 5 sampling sd, sqrt(p (1 - p) / n) dQ/dp (dQ/dp by
     * central differences of the exact quantile). A Gaussian-noised reference (the old behaviour)
     * has quantiles 2.28 / 3.37 / 4.61 against the truth's 3.20 / 7.16 / 15.48: 50, 32 and 13 sd off
     * (SciPy quad / dblquad of the two radial laws, /tmp script, not kept).
     */
    @Test
    void noisedReferenceSamplesUseThePathsNoise() {
        int n = 40_000;
        int d = 2;
        double t = 0.8;
        InterpolationPath path = studentTPath(3.0);
        StudentTSource data = studentT(5.0, 1.0, d);
        Particles reference = Reference.NOISED.samples(data, path, n, d, new EvalContext("eval", t, evaluationNoise()));
        assertEquals(t, reference.time());
        double[] sample = TailQuantilesEvaluator.quantiles(TailQuantilesEvaluator.sortedNorms(reference.data(), n, d), LEVELS);
        HeavyTailedMixture law = HeavyTailedMixture.of(data.scaleMixture(), 5.0, 3.0, path.meanScale(t), path.noiseScale(t));
        for (int l = 0; l < LEVELS.length; l++) {
            double p = LEVELS[l];
            double delta = 1e-4 * (1 - p);
            double slope = (law.radialQuantile(p + delta) - law.radialQuantile(p - delta)) / (2 * delta);
            double sd = Math.sqrt(p * (1 - p) / n) * slope;
            assertEquals(law.radialQuantile(p), sample[l], 5 * sd, "at " + p);
        }
    }

    /**
     * The noised moments of a Gaussian mixture on a Student-t path: mean alpha m, covariance
     * alpha^2 Cov X + sigma^2 nu / (nu - 2) I, here with nu = 3 (the factor 3). Exact arithmetic
     * up to rounding.
     */
    @Test
    void noisedMomentsUseTheStudentTCovariance() {
        GaussianMixture mixture = new GaussianMixture(new double[] {0.25, 0.75}, List.of(
                new Gaussian(new double[] {2.0, 0.0}, Form.SCALAR, new double[] {0.5}),
                new Gaussian(new double[] {-2.0, 1.0}, Form.DIAGONAL, new double[] {1.0, 2.0})));
        double t = 0.36;
        InterpolationPath path = studentTPath(3.0);
        Moments moments = Reference.NOISED.moments(mixture, path, t);
        double a2 = 1 - t;
        // mean = (0.25*2 + 0.75*(-2), 0.75) = (-1, 0.75); Cov X = sum w (Sigma + (m_k - m)(m_k - m)^T)
        double[] mean = {-1.0 * Math.sqrt(a2), 0.75 * Math.sqrt(a2)};
        double c00 = 0.25 * (0.5 + 9.0) + 0.75 * (1.0 + 1.0);
        double c01 = 0.25 * (3.0 * -0.75) + 0.75 * (-1.0 * 0.25);
        double c11 = 0.25 * (0.5 + 0.5625) + 0.75 * (2.0 + 0.0625);
        double[] covariance = {a2 * c00 + 3 * t, a2 * c01, a2 * c01, a2 * c11 + 3 * t};
        assertArrayEquals(mean, moments.mean(), 1e-14);
        assertArrayEquals(covariance, moments.covariance(), 1e-13, Arrays.toString(moments.covariance()));
    }
}
