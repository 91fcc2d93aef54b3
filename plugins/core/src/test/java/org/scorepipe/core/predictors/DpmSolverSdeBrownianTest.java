package org.scorepipe.core.predictors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * DPM-Solver++(2M) SDE with Brownian-path noise: refining the grid follows one Brownian path, so
 * the samples of N and 2N steps draw together as N grows; with the step's own noise each grid
 * draws afresh and they stay an O(1) distance apart.
 */
class DpmSolverSdeBrownianTest {
    static final int N = 200;

    static double[] sample(EulerMaruyamaPredictor.NoiseSource source, int steps) {
        NoisingPath path = PredictorOrdersTest.ou();
        double[] times = SolversTest.lambdaGrid(path, 3.0, 0.01, steps);
        double[] x = new double[N];
        PhiloxNoise.of(7, 0, 0).normals(0, 0, x, 0, N);
        Particles p = new Particles(N, 1, 0, x, times[0]);
        DpmSolverSdePredictor predictor = new DpmSolverSdePredictor(new DpmSolverSdePredictor.Params(1.0, source), path,
                PredictorOrdersTest.score(path));
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
     * Measured RMS distances between grids of 24/48, 48/96, 96/192 steps: Brownian 0.0248, 0.0112,
     * 0.0060, falling by about 2 per doubling; step noise 0.63 at 96/192 (independent draws). The test asks for a fall of at least 1.5 per doubling, and for the
     * Brownian distances to be a tenth of the step-noise ones at 96/192.
     */
    @Test
    void refiningTheGridConvergesAlongOneBrownianPath() {
        double[] distances = new double[3];
        double stepNoise = 0;
        for (int i = 0, steps = 24; i < 3; i++, steps *= 2) {
            distances[i] = rms(sample(EulerMaruyamaPredictor.NoiseSource.BROWNIAN, steps),
                    sample(EulerMaruyamaPredictor.NoiseSource.BROWNIAN, 2 * steps));
            stepNoise = rms(sample(EulerMaruyamaPredictor.NoiseSource.STEP, steps),
                    sample(EulerMaruyamaPredictor.NoiseSource.STEP, 2 * steps));
        }
        assertTrue(distances[0] / distances[1] > 1.5 && distances[1] / distances[2] > 1.5,
                "distances " + java.util.Arrays.toString(distances));
        assertTrue(distances[2] < stepNoise / 10, distances[2] + " against " + stepNoise);
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
        SolversTest.run(new DpmSolverSdePredictor(new DpmSolverSdePredictor.Params(1.0, EulerMaruyamaPredictor.NoiseSource.STEP),
                path, PredictorOrdersTest.score(path)), b, times, 5);
        assertArrayEquals(a.data(), b.data());
    }
}
