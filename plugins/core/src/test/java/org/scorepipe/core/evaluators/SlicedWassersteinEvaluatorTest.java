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
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.core.sources.GaussianMixtureSource.Part;

class SlicedWassersteinEvaluatorTest {

    private static SlicedWassersteinEvaluator evaluator(DataSource data, Reference reference, int projections,
            int referenceSamples) {
        return new SlicedWassersteinEvaluator(
                new SlicedWassersteinEvaluator.Params(reference, projections, referenceSamples), data, ornsteinUhlenbeck());
    }

    private static double slicedWasserstein(SlicedWassersteinEvaluator evaluator, Particles particles, double t) {
        return evaluator.evaluate(particles, new EvalContext("eval", t, evaluationNoise())).number("sliced-wasserstein");
    }

    @Test
    void oneDimensionalDistanceIsExactForEqualAndUnequalSizes() {
        // Equal sizes: the mean of squared differences of the order statistics.
        assertEquals((1.0 + 1.0 + 4.0) / 3, SlicedWassersteinEvaluator.wassersteinSquared(
                new double[] {1, 2, 3}, new double[] {2, 3, 5}), 1e-15);
        // {0, 1} against {0, 0.5, 1}: quantile functions differ by 0.5 on (1/3, 1/2] and (1/2, 2/3].
        assertEquals(2 * 0.25 / 6, SlicedWassersteinEvaluator.wassersteinSquared(
                new double[] {0, 1}, new double[] {0, 0.5, 1}), 1e-15);
        // A point mass against two points: (0 - a)^2/2 + (0 - b)^2/2.
        assertEquals((4.0 + 9.0) / 2, SlicedWassersteinEvaluator.wassersteinSquared(
                new double[] {0}, new double[] {-2, 3}), 1e-15);
        // A sample against itself repeated: the same quantile function.
        assertEquals(0.0, SlicedWassersteinEvaluator.wassersteinSquared(
                new double[] {-1, 4, 7}, new double[] {-1, -1, 4, 4, 7, 7}));
    }

    @Test
    void directionsAreTheNormalisedEnsembleNormals() {
        int d = 3;
        double[] directions = SlicedWassersteinEvaluator.directions(evaluationNoise(), 0, 5, d);
        double[] normals = new double[5 * d];
        evaluationNoise().normals(Noise.ENSEMBLE, 0, normals, 0, normals.length);
        for (int p = 0; p < 5; p++) {
            double norm = Math.sqrt(normals[p * d] * normals[p * d] + normals[p * d + 1] * normals[p * d + 1]
                    + normals[p * d + 2] * normals[p * d + 2]);
            for (int j = 0; j < d; j++) {
                assertEquals(normals[p * d + j] / norm, directions[p * d + j], 1e-15);
            }
        }
    }

    @Test
    void theSeedSelectsTheEnsembleStreamOfTheDirections() {
        int d = 3;
        double[] seeded = SlicedWassersteinEvaluator.directions(evaluationNoise(), 4, 5, d);
        double[] normals = new double[5 * d];
        evaluationNoise().normals(Noise.ENSEMBLE, 4, normals, 0, normals.length);
        double norm = Math.sqrt(normals[0] * normals[0] + normals[1] * normals[1] + normals[2] * normals[2]);
        assertEquals(normals[0] / norm, seeded[0], 1e-15);
        // Two seeds, two estimates of one distance: different numbers, both near |m| / sqrt(d) = 1 (d = 4).
        DataSource shifted = mixture(4, new Part(1.0, new double[] {1, 1, 1, 1}, new double[] {1.0}));
        Particles particles = sample(mixture(4, new Part(1.0, new double[4], new double[] {1.0})), 4_000, 1);
        double first = slicedWasserstein(new SlicedWassersteinEvaluator(new SlicedWassersteinEvaluator.Params(
                Reference.DATA, 400, 0, 0, 100_000), shifted, ornsteinUhlenbeck()), particles, 0.0);
        double second = slicedWasserstein(new SlicedWassersteinEvaluator(new SlicedWassersteinEvaluator.Params(
                Reference.DATA, 400, 0, 1, 100_000), shifted, ornsteinUhlenbeck()), particles, 0.0);
        assertTrue(first != second, "seeds 0 and 1 gave the same directions");
        // As in the shift test: SW^2 has sd 4 * (1/4) / sqrt(400) = 0.05, SW 0.025, plus 0.01 sampling: 5 sd = 0.18.
        assertEquals(1.0, first, 0.18);
        assertEquals(1.0, second, 0.18);
    }

    @Test
    void aSampleAgainstItselfIsExactlyZero() {
        DataSource data = mixture(3, new Part(0.4, new double[] {1, 2, 3}, new double[] {1.0}),
                new Part(0.6, new double[] {-1, 0, 2}, new double[] {0.5, 2.0, 1.0}));
        // Drawn with the evaluation's own noise, the reference samples are these very particles.
        Particles particles = new Particles(500, 3);
        data.sample(particles.all(), evaluationNoise());
        assertEquals(0.0, slicedWasserstein(evaluator(data, Reference.DATA, 64, 0), particles, 0.3));
    }

    @Test
    void gaussiansThatDifferByAShiftAreTheShiftOverSquareRootOfDimensionApart() {
        int d = 4;
        int n = 20_000;
        int projections = 1_000;
        // |m|^2 = 6, so SW = sqrt(6/4) = 1.22 (a shift with SW = 1 would not notice a missing square root).
        double[] shift = {1.0, 2.0, 0.0, 1.0};
        DataSource shifted = mixture(d, new Part(1.0, shift, new double[] {1.0}));
        DataSource centred = mixture(d, new Part(1.0, new double[d], new double[] {1.0}));
        Particles particles = sample(centred, n, 1);
        double sw = slicedWasserstein(evaluator(shifted, Reference.DATA, projections, 0), particles, 0.0);

        // For one direction theta the projections are N(0, 1) and N(theta.m, 1), W_2^2 = (theta.m)^2,
        // so with the evaluator's own directions SW^2 = mean_p (theta_p.m)^2 up to sampling error.
        // That error is dominated by the sample means: SW^2 shifts by about -2 m^T (I/d) eps with
        // eps ~ N(0, (2/n) I), sd 2|m|/d sqrt(2/n) = 0.012 here, i.e. 0.005 on SW = 1.22; the centred
        // part adds a bias of order log log n / n ~ 1e-4. Allow 5 sd: 0.025.
        double[] directions = new double[projections * d];
        evaluationNoise().normals(Noise.ENSEMBLE, 0, directions, 0, directions.length);
        double sum = 0.0;
        for (int p = 0; p < projections; p++) {
            double dot = 0.0;
            double norm = 0.0;
            for (int j = 0; j < d; j++) {
                dot += directions[p * d + j] * shift[j];
                norm += directions[p * d + j] * directions[p * d + j];
            }
            sum += dot * dot / norm;
        }
        assertEquals(Math.sqrt(sum / projections), sw, 0.025);

        // Averaged over the sphere, E (theta.m)^2 = |m|^2 / d: SW_2 = |m| / sqrt(d). With P directions,
        // (theta.m)^2 is distributed as |m|^2 theta_1^2 and theta_1^2 ~ Beta(1/2, 3/2) has sd 1/4, so SW^2
        // has sd 6 * (1/4) / sqrt(P) = 0.047, 0.019 on SW; with the 0.005 above, 5 sd = 0.1.
        assertEquals(Math.sqrt(6.0 / d), sw, 0.1);
    }

    @Test
    void noisedReferenceFollowsThePathToTheParticlesTime() {
        int d = 2;
        int n = 4_000;
        double t = 0.4;
        DataSource data = mixture(d, new Part(1.0, new double[] {3, 0}, new double[] {0.25}));
        Particles particles = sample(data, n, 1);
        ornsteinUhlenbeck().push(particles.all(), 0.0, t, Targets.evaluationNoise().streams(3));

        double noised = slicedWasserstein(evaluator(data, Reference.NOISED, 200, 0), particles, t);
        double clean = slicedWasserstein(evaluator(data, Reference.DATA, 200, 0), particles, t);
        // The particles' law is N(3 alpha e_1, v I), alpha = e^{-0.4} = 0.670, v = 0.25 alpha^2 + 1 - alpha^2
        // = 0.663. Against fresh samples of it, SW^2 ~ mean_theta (theta.eps)^2 + (sd difference)^2 with
        // eps ~ N(0, 2v/n I): about v/n + v/(2n) ~ 2.5e-4, SW ~ 0.016, so 0.1 is over 5 times that.
        // Against the data N(3 e_1, 0.25 I): per direction W_2^2 = (theta_1 3 (1 - alpha))^2
        // + (sqrt(v) - 0.5)^2, mean 0.489 + 0.099, SW = 0.767; over 200 directions theta_1^2 = cos^2
        // has sd 0.354, so SW^2 has sd 0.978 * 0.354 / sqrt(200) = 0.024, SW 0.016: 5 sd = 0.08 < 0.1.
        assertTrue(noised < 0.1, "noised reference: " + noised);
        assertEquals(0.767, clean, 0.1);
    }

    @Test
    void fewerReferenceSamplesStillMeasureTheSameDistance() {
        int d = 4;
        DataSource shifted = mixture(d, new Part(1.0, new double[] {1, 1, 1, 1}, new double[] {1.0}));
        DataSource centred = mixture(d, new Part(1.0, new double[d], new double[] {1.0}));
        Particles particles = sample(centred, 9_000, 1);
        // 7 000 reference samples, a size that shares no grid with 9 000 but 1/1000; the expected
        // value is as in the test above (1 within 5 sd, sd of SW ~ 0.016 + sampling 0.01).
        double sw = slicedWasserstein(evaluator(shifted, Reference.DATA, 1_000, 7_000), particles, 0.0);
        assertEquals(1.0, sw, 0.1);
    }

    @Test
    void refusesBadParameters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SlicedWassersteinEvaluator.Params(Reference.NOISED, 0, 0));
        assertTrue(e.getMessage().contains("projections"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new SlicedWassersteinEvaluator.Params(Reference.NOISED, 10, -1));
    }
}
