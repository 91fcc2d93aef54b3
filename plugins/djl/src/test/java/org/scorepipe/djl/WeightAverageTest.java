package org.scorepipe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exponential moving average of weights against its closed forms. */
class WeightAverageTest {

    @Test
    void theWarmUpDecayIsTensorFlows() {
        assertEquals(0.1, WeightAverage.decay(0.999, 0), 1e-15);
        assertEquals(0.5, WeightAverage.decay(0.999, 8), 1e-15);
        assertEquals(0.999, WeightAverage.decay(0.999, 1_000_000), 1e-15);
        assertEquals(0.9, WeightAverage.decay(0.9, 100), 1e-15);
    }

    @Test
    void theAverageOfALinearlyMovingWeightLagsByBetaOverOneMinusBeta() {
        DjlRuntime.pytorch(1);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(manager.create(new float[] {0f, 10f}));
            WeightAverage average = new WeightAverage(List.of(p), 0.9, manager);
            // theta_k = theta_0 + k (1, -1), as plain gradient descent on a constant gradient moves it
            int steps = 400;
            for (int k = 1; k <= steps; k++) {
                p.getArray().set(new float[] {k, 10f - k});
                average.update();
            }
            // first update: avg = 0.1 theta_0 + 0.9 theta_1; in the end, past the warm-up (beta_k = 0.9 from k = 81),
            // the average of a weight moving by 1 a step trails it by sum_j (1 - beta) beta^j j = beta / (1 - beta) = 9,
            // up to beta^(400 - 81) ~ 1e-15 of the warm-up's trace; float32 rounding of values ~400 (ulp 3e-5)
            // settles at about ulp / (1 - beta) = 3e-4
            average.copyInto();
            NDArray w = p.getArray();
            assertEquals(steps - 9.0, w.getFloat(0), 5e-3);
            assertEquals(10 - steps + 9.0, w.getFloat(1), 5e-3);
        }
    }

    @Test
    void oneUpdateMixesTheInitialAndTheNewWeightsByTheFirstDecay() {
        DjlRuntime.pytorch(1);
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p.setArray(manager.create(new float[] {1f}));
            WeightAverage average = new WeightAverage(List.of(p), 0.999, manager);
            p.getArray().set(new float[] {11f});
            average.update();
            assertEquals(11f, p.getArray().getFloat(0), 0f, "update leaves the weights alone");
            average.copyInto();
            // beta_0 = min(0.999, 1/10): 0.1 * 1 + 0.9 * 11
            assertEquals(10f, p.getArray().getFloat(0), 1e-5f);
        }
    }
}
