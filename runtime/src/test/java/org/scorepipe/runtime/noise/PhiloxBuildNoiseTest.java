package org.scorepipe.runtime.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.scorepipe.api.Noise;

class PhiloxBuildNoiseTest {
    static double[] uniforms(Noise noise, long row) {
        double[] u = new double[4];
        noise.uniforms(row, 0, u, 0, 4);
        return u;
    }

    @Test
    void aRowsNumbersArePhiloxAtTheReservedStageAndAPureFunctionOfSeedDomainAndRow() {
        Noise a = new PhiloxBuildNoise(7).forDomain(42);
        // Drawing other rows first changes nothing: no state between calls.
        uniforms(a, 5);
        assertArrayEquals(uniforms(PhiloxNoise.of(7, PhiloxBuildNoise.STAGE, 42), 3), uniforms(a, 3));
        assertArrayEquals(uniforms(new PhiloxBuildNoise(7).forDomain(42), 3), uniforms(a, 3));
        assertFalse(Arrays.equals(uniforms(a, 3), uniforms(new PhiloxBuildNoise(7).forDomain(43), 3)), "another domain");
        assertFalse(Arrays.equals(uniforms(a, 3), uniforms(new PhiloxBuildNoise(8).forDomain(42), 3)), "another seed");
        // Never a stage step's numbers: stage 0, step 42 is another counter.
        assertFalse(Arrays.equals(uniforms(a, 3), uniforms(PhiloxNoise.of(7, 0, 42), 3)));
    }
}
