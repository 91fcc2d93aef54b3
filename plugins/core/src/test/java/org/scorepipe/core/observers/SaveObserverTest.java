package org.scorepipe.core.observers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RunOutputs;
import org.scorepipe.api.Observation;
import org.scorepipe.runtime.noise.PhiloxNoise;

class SaveObserverTest {

    @Test
    void savesTheWholeEnsembleUnderTheFileName() {
        RunOutputs outputs = mock(RunOutputs.class);
        SaveObserver observer = new SaveObserver(new SaveObserver.Params("final.npy"));
        assertTrue(observer.readsParticles());
        Particles particles = new Particles(3, 2);
        observer.observe(particles, new Observation("out", 0, 0.0, PhiloxNoise.of(1L, 4, 0), outputs));
        verify(outputs).saveSamples("out", "final.npy", particles);
    }

    @Test
    void aParquetSaveAsksTheOutputsForADatasetAndReadsNoParticle() {
        RunOutputs outputs = mock(RunOutputs.class);
        SaveObserver observer = new SaveObserver(new SaveObserver.Params("samples.npy", SaveObserver.Format.PARQUET, false));
        assertFalse(observer.readsParticles());
        observer.observe(new Particles(0, 2), new Observation("out", 0, 0.0, PhiloxNoise.of(1L, 4, 0), outputs));
        verify(outputs).saveDataset("out", "samples.parquet", "parquet");
        assertEquals(Optional.of("parquet"), observer.datasetFormat());
    }

    @Test
    void npyShardsAreADatasetNamedAfterTheNpyFile() {
        RunOutputs outputs = mock(RunOutputs.class);
        SaveObserver observer = new SaveObserver(new SaveObserver.Params("out.npy", SaveObserver.Format.NPY_SHARDS, false));
        assertFalse(observer.readsParticles());
        assertEquals(Optional.of("npy-shards"), observer.datasetFormat());
        observer.observe(new Particles(0, 2), new Observation("out", 0, 0.0, PhiloxNoise.of(1L, 4, 0), outputs));
        verify(outputs).saveDataset("out", "out.npy", "npy-shards");
        assertEquals(Optional.empty(), new SaveObserver(new SaveObserver.Params("x.npy")).datasetFormat());
        assertThrows(IllegalArgumentException.class,
                () -> new SaveObserver.Params("dir/x.npy", SaveObserver.Format.NPY_SHARDS, false));
    }

    @Test
    void refusesParticlesThatAreNotFiniteAndWritesNothing() {
        RunOutputs outputs = mock(RunOutputs.class);
        SaveObserver observer = new SaveObserver(new SaveObserver.Params("final.npy"));
        Particles particles = new Particles(3, 2);
        particles.data()[3] = Double.NaN;
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> observer.observe(particles, new Observation("out", 0, 0.0, PhiloxNoise.of(1L, 4, 0), outputs)));
        assertTrue(e.getMessage().contains("particle 1") && e.getMessage().contains("stages.out.allow-non-finite"), e.getMessage());
        org.mockito.Mockito.verifyNoInteractions(outputs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "samples.csv", "samples", ".npy", "runs/samples.npy", "..\\samples.npy", "/tmp/x.npy"})
    void refusesFileNamesThatAreNotPlainNpyNames(String file) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SaveObserver.Params(file));
        assertTrue(e.getMessage().contains("file"), e.getMessage());
    }

    @Test
    void refusesAMissingFileName() {
        assertThrows(IllegalArgumentException.class, () -> new SaveObserver.Params(null));
    }
}
