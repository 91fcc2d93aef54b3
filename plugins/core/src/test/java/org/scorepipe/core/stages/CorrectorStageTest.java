package org.scorepipe.core.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import org.junit.jupiter.api.Test;
import org.scorepipe.api.Block;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.noise.PhiloxNoise;

class CorrectorStageTest {

    @Test
    void everyStepCorrectsAtTheFixedTime() {
        Corrector corrector = mock(Corrector.class);
        CorrectorStage stage = new CorrectorStage(new CorrectorStage.Params(1.25, 3), corrector);
        Block block = new Particles(4, 2).all();
        Noise noise = PhiloxNoise.of(1L, 2, 0);
        assertEquals(3, stage.steps());
        for (int k = 0; k < 3; k++) {
            stage.step(k, block, noise);
        }
        verify(corrector, times(3)).correct(block, 1.25, noise);
        for (int k = 0; k <= 3; k++) {
            assertEquals(1.25, stage.time(k, 0.0));
        }
        assertThrows(IllegalArgumentException.class, () -> stage.step(3, block, noise));
    }

    @Test
    void zeroStepsIsAllowedNegativeIsNot() {
        assertEquals(0, new CorrectorStage(new CorrectorStage.Params(1.0, 0), mock(Corrector.class)).steps());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CorrectorStage.Params(1.0, -1));
        assertTrue(e.getMessage().contains("steps"), e.getMessage());
    }
}
