package org.scorepipe.core.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The SDE predictors with Brownian-path noise (dpm-solver++-sde, ancestral, exponential-integrator):
 * refining the grid follows one Brownian path, so the samples of N and 2N steps draw together as N
 * grows; with the step's own noise each grid draws afresh and they stay an O(1) distance apart.
 */
class BrownianStepNoiseTest {
    static final int N = 200;

    static double[] sample(String name, NoiseSource source, int steps) {
        NoisingPath path = PredictorOrdersTest.ou();
        double[] times = SolversTest.lambdaGrid(path, 3.0, 0.01, steps);
        double[] x = new double[N];
        PhiloxNoise.of(7, 0, 0).normals(0, 0, x, 0, N);
        Particles p = new Particles(N, 1, 0, x, times[0]);
        org.scorepipe.api.Predictor predictor = switch (name) {
            case "dpm-solver++-sde" -> new DpmSolverSdePredictor(new DpmSolverSdePredictor.Params(1.0, source), path,
                    PredictorOrdersTest.score(path));
            case "ancestral" -> new AncestralPredictor(new AncestralPredictor.Params(source), path, PredictorOrdersTest.score(path));
            default -> new ExponentialIntegratorPredictor(new ExponentialIntegratorPredictor.Params(source), path,
                    PredictorOrdersTest.score(path));
        };
        SolversTest.run(predictor, p, times, 5);
        return p.data();
    }

    static double rms(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(sum / a.length);
    }

    /**
     * Measured RMS distances between grids of 24/48, 48/96, 96/192 steps: dpm-solver++-sde 0.0248,
     * 0.0112, 0.0060; ancestral 0.0313, 0.0175, 0.0091; exponential-integrator 0.0375, 0.0162,
     * 0.0091, each falling by 1.8 to 2.3 per doubling; with the step's own noise 0.61 to 0.64 at
     * 96/192 (independent draws). The test asks for a fall of at least 1.5 per doubling, and for the
     * Brownian distance at 96/192 to be a tenth of the step-noise one.
     */
    @Test
    void refiningTheGridConvergesAlongOneBrownianPath() {
        for (String name : new String[] {"dpm-solver++-sde", "ancestral", "exponential-integrator"}) {
            double[] distances = new double[3];
            for (int i = 0, steps = 24; i < 3; i++, steps *= 2) {
                distances[i] = rms(sample(name, NoiseSource.BROWNIAN, steps),
                        sample(name, NoiseSource.BROWNIAN, 2 * steps));
            }
            double stepNoise = rms(sample(name, NoiseSource.STEP, 96),
                    sample(name, NoiseSource.STEP, 192));
            String report = name + ": " + java.util.Arrays.toString(distances) + ", step noise " + stepNoise;
            assertTrue(distances[0] / distances[1] > 1.5 && distances[1] / distances[2] > 1.5, report);
            assertTrue(distances[2] < stepNoise / 10, report);
        }
    }

    @Test
    void stepNoiseIsTheDefault() {
        NoisingPath path = PredictorOrdersTest.ou();
        double[] times = SolversTest.lambdaGrid(path, 3.0, 0.01, 12);
        double[] x = new double[N];
        PhiloxNoise.of(7, 0, 0).normals(0, 0, x, 0, N);
        Particles a = new Particles(N, 1, 0, x.clone(), 3.0);
        Particles b = new Particles(N, 1, 0, x.clone(), 3.0);
        SolversTest.run(new DpmSolverSdePredictor(new DpmSolverSdePredictor.Params(1.0), path, PredictorOrdersTest.score(path)),
                a, times, 5);
        SolversTest.run(new DpmSolverSdePredictor(new DpmSolverSdePredictor.Params(1.0, NoiseSource.STEP),
                path, PredictorOrdersTest.score(path)), b, times, 5);
        assertArrayEquals(a.data(), b.data());
    }
}
