package org.scorepipe.core.evaluators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.scorepipe.core.evaluators.Targets.evaluationNoise;
import static org.scorepipe.core.evaluators.Targets.mixture;
import static org.scorepipe.core.evaluators.Targets.ornsteinUhlenbeck;
import static org.scorepipe.core.evaluators.Targets.sample;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.Evaluator.EvalContext;
import org.scorepipe.api.Metrics;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.core.evaluators.LikelihoodEvaluator.Difference;
import org.scorepipe.core.evaluators.LikelihoodEvaluator.Divergence;
import org.scorepipe.core.evaluators.LikelihoodEvaluator.Params;
import org.scorepipe.core.evaluators.LikelihoodEvaluator.Points;
import org.scorepipe.core.evaluators.LikelihoodEvaluator.Prior;
import org.scorepipe.core.evaluators.LikelihoodEvaluator.Probe;
import org.scorepipe.core.paths.InterpolationPath;
import org.scorepipe.core.paths.VpPath;
import org.scorepipe.core.scores.AnalyticScore;
import org.scorepipe.core.scores.NoisedMixture;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class LikelihoodEvaluatorTest {
    private static final double S = 0.5;
    /** N(m, s^2 I) in 3 dimensions. */
    private static final DataSource GAUSSIAN = mixture(3, new Part(1.0, new double[] {1.0, -2.0, 0.5}, new double[] {S * S}));
    /** Two separated components, one anisotropic: log p_delta is not a quadratic. */
    private static final DataSource MIXTURE = mixture(2, new Part(0.3, new double[] {-2.0, 0.0}, new double[] {0.25}),
            new Part(0.7, new double[] {1.5, 1.0}, new double[] {0.5, 0.1}));
    private static final NoisingPath VP = new VpPath(new VpPath.Params(0.1, 20.0));

    private static Params params(double start, double end, Prior prior, double tolerance, Divergence divergence, int probes,
            Probe probe) {
        return new Params(Points.PARTICLES, 1000, start, end, prior, tolerance, divergence, probes, probe, Difference.CENTRAL);
    }

    private static LikelihoodEvaluator evaluator(Params params, DataSource data, NoisingPath path) {
        return new LikelihoodEvaluator(params, data, path, new AnalyticScore(new AnalyticScore.Params(), data, path));
    }

    /** Points spread over p_delta and beyond it: draws of the data, noised to delta and stretched by 1.5. */
    private static Particles points(DataSource data, NoisingPath path, double delta, int n) {
        Particles p = sample(data, n, 3);
        double[] z = new double[data.dimension()];
        double a = path.meanScale(delta);
        double s = path.noiseScale(delta);
        double[] x = p.data();
        for (int i = 0; i < n; i++) {
            Targets.evaluationNoise().normals(i, 99, z, 0, z.length);
            for (int j = 0; j < z.length; j++) {
                x[i * z.length + j] = 1.5 * (a * x[i * z.length + j] + s * z[j]);
            }
        }
        p.setTime(delta);
        return p;
    }

    /** The exact -log p_delta of the points: the data noised to delta, in closed form. */
    private static double[] exact(DataSource data, NoisingPath path, double delta, Particles p) {
        double[] out = new double[p.size()];
        NoisedMixture.of(data.gaussianMixture().orElseThrow(), path.meanScale(delta), path.noiseScale(delta))
                .logDensity(p.data(), 0, p.size(), out);
        for (int i = 0; i < out.length; i++) {
            out[i] = -out[i];
        }
        return out;
    }

    private static double[] nll(LikelihoodEvaluator evaluator, Particles p) {
        return evaluator.pointValues(p, new EvalContext("eval", p.time(), evaluationNoise())).nll();
    }

    @Test
    void gaussianTargetOnOrnsteinUhlenbeckMatchesTheClosedFormOfPDelta() {
        NoisingPath ou = ornsteinUhlenbeck();
        double delta = 0.01;
        Particles p = points(GAUSSIAN, ou, delta, 40);
        double[] expected = exact(GAUSSIAN, ou, delta, p);
        // Exact prior: only the ODE's error is left. At tolerance 1e-8 the Dormand-Prince local
        // errors, about 1e-8 relative per step over a few dozen steps, leave well under 1e-5 nats.
        double[] exactPrior = nll(evaluator(params(-1, 12.0, Prior.EXACT, 1e-8, Divergence.EXACT, 1, Probe.RADEMACHER),
                GAUSSIAN, ou), p);
        // Noise prior N(0, I) at T = 12: its gap to p_T is at most about alpha_T |x_T| |m| / sigma_T^2 + O(alpha_T^2),
        // alpha_T = e^-12 = 6e-6, |m| = 2.3, |x_T| < 5: below 1e-4 nats.
        double[] noisePrior = nll(evaluator(params(-1, 12.0, Prior.NOISE, 1e-8, Divergence.EXACT, 1, Probe.RADEMACHER),
                GAUSSIAN, ou), p);
        for (int i = 0; i < p.size(); i++) {
            assertEquals(expected[i], exactPrior[i], 1e-5, "point " + i);
            assertEquals(expected[i], noisePrior[i], 1e-4, "point " + i);
        }
    }

    @Test
    void gaussianTargetOnVpMatchesTheClosedFormOfPDelta() {
        double delta = 1e-3;
        Particles p = points(GAUSSIAN, VP, delta, 40);
        double[] expected = exact(GAUSSIAN, VP, delta, p);
        double[] got = nll(evaluator(params(-1, 1.0, Prior.EXACT, 1e-8, Divergence.EXACT, 1, Probe.RADEMACHER), GAUSSIAN, VP), p);
        for (int i = 0; i < p.size(); i++) {
            // As above: the ODE's error at tolerance 1e-8, with margin.
            assertEquals(expected[i], got[i], 1e-5, "point " + i);
        }
    }

    @Test
    void mixtureWithTheAnalyticScoreMatchesTheExactLogDensityOfPDelta() {
        for (NoisingPath path : new NoisingPath[] {VP, ornsteinUhlenbeck()}) {
            double delta = 1e-2;
            double end = path == VP ? 1.0 : 10.0;
            Particles p = points(MIXTURE, path, delta, 60);
            double[] expected = exact(MIXTURE, path, delta, p);
            double[] got = nll(evaluator(params(-1, end, Prior.EXACT, 1e-8, Divergence.EXACT, 1, Probe.RADEMACHER), MIXTURE,
                    path), p);
            for (int i = 0; i < p.size(); i++) {
                assertEquals(expected[i], got[i], 1e-5, path.getClass().getSimpleName() + " point " + i);
            }
        }
    }

    @Test
    void hutchinsonWithManyProbesAgreesWithTheExactTraceWithinItsStandardError() {
        double delta = 1e-2;
        Particles p = points(MIXTURE, VP, delta, 50);
        for (Probe probe : Probe.values()) {
            Metrics exact = evaluator(params(-1, 1.0, Prior.EXACT, 1e-6, Divergence.EXACT, 1, probe), MIXTURE, VP)
                    .evaluate(p, new EvalContext("eval", delta, evaluationNoise()));
            Metrics hutchinson = evaluator(params(-1, 1.0, Prior.EXACT, 1e-6, Divergence.HUTCHINSON, 64, probe), MIXTURE, VP)
                    .evaluate(p, new EvalContext("eval", delta, evaluationNoise()));
            double se = hutchinson.number("nll-probe-se");
            assertTrue(se > 0, probe + ": probe standard error " + se);
            // The estimator is unbiased; over 50 points x 64 probes the mean is normal to a good
            // approximation. |z| < 3.29 is the two-sided 0.1% level: a false alarm once in a
            // thousand seeds, while a biased trace (a wrong sign or scale of the probes' product)
            // gives |z| in the tens or more.
            double z = (hutchinson.number("nll") - exact.number("nll")) / se;
            assertTrue(Math.abs(z) < 3.29, probe + ": z = " + z + " (exact " + exact + ", hutchinson " + hutchinson + ")");
        }
    }

    @Test
    void reportsBitsPerDimensionAndScoreRows() {
        double delta = 1e-2;
        Particles p = points(MIXTURE, VP, delta, 10);
        Metrics m = evaluator(params(-1, 1.0, Prior.NOISE, 1e-5, Divergence.EXACT, 1, Probe.RADEMACHER), MIXTURE, VP)
                .evaluate(p, new EvalContext("eval", delta, evaluationNoise()));
        assertEquals(m.number("nll") / (2 * Math.log(2)), m.number("bpd"), 1e-12);
        assertEquals(m.number("nll-se") / (2 * Math.log(2)), m.number("bpd-se"), 1e-12);
        // Each ODE stage evaluates 1 + 2d rows per point, and the solver takes at least one step of 6 stages plus the first.
        double rows = m.number("nll-score-rows");
        assertTrue(rows >= 7 * 5 && rows % 5 == 0, "score rows per point " + rows);
    }

    @Test
    void refusesAStudentTPath() {
        NoisingPath t = new InterpolationPath(new InterpolationPath.Params(InterpolationPath.Schedule.LINEAR,
                InterpolationPath.Base.STUDENT_T, 3.0, 10.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LikelihoodEvaluator(
                params(-1, 1.0, Prior.NOISE, 1e-5, Divergence.EXACT, 1, Probe.RADEMACHER), MIXTURE, t,
                (x, o, r, time, out) -> { }));
        assertTrue(e.getMessage().contains("Student-t"), e.getMessage());
    }
}
