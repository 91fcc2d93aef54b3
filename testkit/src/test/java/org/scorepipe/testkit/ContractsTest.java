package org.scorepipe.testkit;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Predictor;

/** The contracts can fail: each catches the fault it is written for. */
class ContractsTest {
    private static List<DynamicTest> tests(java.util.stream.Stream<DynamicTest> s) {
        return s.collect(Collectors.toList());
    }

    @Test
    void aCorrectorThatShiftsTheMeanFailsInvariance() {
        Corrector shift = (block, t, noise) -> {
            double[] x = block.data();
            for (int c = block.offset(); c < block.offset() + block.size() * block.dimension(); c++) {
                x[c] += 0.1;
            }
        };
        assertThrows(AssertionFailedError.class, () -> tests(Contracts.corrector("shift", g -> shift)).get(0).getExecutable().execute());
    }

    @Test
    void aCorrectorThatCouplesRowsFailsRowLocality() {
        // each row moves by the block's first coordinate: the result depends on how rows are blocked
        Corrector coupled = (block, t, noise) -> {
            double[] x = block.data();
            double first = x[block.offset()];
            for (int c = block.offset(); c < block.offset() + block.size() * block.dimension(); c++) {
                x[c] += 1e-3 * first;
            }
        };
        assertThrows(AssertionFailedError.class, () -> tests(Contracts.corrector("coupled", g -> coupled)).get(1).getExecutable().execute());
    }

    @Test
    void aPredictorThatStandsStillMissesTheMarginal() {
        Predictor still = (block, t, tNext, noise) -> { };
        assertThrows(AssertionFailedError.class, () -> tests(Contracts.predictor("still", g -> still)).get(0).getExecutable().execute());
    }
}
