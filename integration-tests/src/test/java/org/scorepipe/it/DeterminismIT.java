package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.run.NpyFile;

/**
 * The noise a particle receives is a pure function of (seed, stage, step, index): threads and
 * block sizes cannot change a single byte, and a prefix of the ensemble is a smaller run.
 */
class DeterminismIT {
    /** Every stage kind that draws noise: init from data, forward, Langevin, a reverse SDE with a corrector. */
    private static final String PIPELINE = """
            pipeline: {name: determinism, seed: 1234, particles: 2000, dimension: 3}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.5, mean: [-2.0, 0.0, 1.0], covariance: [1.0, 0.2, 0.0, 0.2, 0.8, 0.1, 0.0, 0.1, 0.5]}
                  - {weight: 0.5, mean: [2.0, 1.0, -1.0], covariance: [0.5, 0.7, 0.3]}
              path: {type: ornstein-uhlenbeck}
              score: {type: analytic}
            stages:
              - {name: init, type: init, from: data}
              - {name: forward, type: forward, from: 0.0, to: 0.7}
              - name: corrector
                type: corrector
                time: 0.7
                steps: 20
                corrector: {type: langevin, step: 0.02, steps: 2}
              - name: sample
                type: sample
                grid: {type: uniform, from: 0.7, to: 0.01, steps: 30}
                predictor: {type: euler-maruyama}
                corrector: {type: langevin, step: 0.005}
              - {name: save, type: save}
            """;

    @TempDir
    static Path dir;

    @BeforeAll
    static void writePipeline() throws Exception {
        Files.writeString(dir.resolve("determinism.yaml"), PIPELINE);
    }

    private static byte[] samples(String name, String... options) throws Exception {
        return samplesOf(List.of(), "determinism.yaml", name, options);
    }

    /** {@code samples.npy} of {@code run FILE --out NAME OPTIONS} in a JVM with {@code jvmOptions}. */
    private static byte[] samplesOf(List<String> jvmOptions, String file, String name, String... options) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of("run", file, "--out", name));
        all.addAll(List.of(options));
        String[] args = all.toArray(String[]::new);
        Cli.Result result = Cli.runWith(jvmOptions, dir, args);
        assertEquals(0, result.exitCode(), result.all());
        return Files.readAllBytes(dir.resolve(name).resolve("samples.npy"));
    }

    /**
     * Observers (evaluate, save) move no particle and are not counted in the noise key of the
     * stages after them: a measurement inserted before any moving stage of the quickstart, one
     * that draws noise of its own (sliced Wasserstein's projections) included, leaves every byte
     * of the samples as it was.
     */
    @Test
    void anObserverInsertedAnywhereChangesNoByteOfTheSamples() throws Exception {
        String quickstart = Files.readString(Cli.PIPELINES.resolve("quickstart.yaml"));
        String peek = "  - {name: peek, type: evaluate, evaluators: [moments, sliced-wasserstein]}\n";
        Files.writeString(dir.resolve("quickstart.yaml"), quickstart);
        byte[] reference = samplesOf(List.of(), "quickstart.yaml", "no-peek", "--set", "pipeline.particles=2000");
        for (String before : List.of("  - {name: init,", "  - name: corrector", "  - name: sample")) {
            int at = quickstart.indexOf(before);
            assertTrue(at > 0, "the quickstart has no line starting with " + before);
            String file = "peek-" + before.replaceAll("[^a-z]", "") + ".yaml";
            Files.writeString(dir.resolve(file), quickstart.substring(0, at) + peek + quickstart.substring(at));
            byte[] observed = samplesOf(List.of(), file, file.replace(".yaml", ""), "--set", "pipeline.particles=2000");
            assertArrayEquals(reference, observed, "a peek before '" + before.trim() + "' changed the samples");
            String metrics = Files.readString(dir.resolve(file.replace(".yaml", "")).resolve("metrics.json"));
            assertTrue(metrics.contains("\"peek\""), "the peek was not evaluated: " + metrics);
        }
    }

    @Test
    void threadsAndBlockSizesDoNotChangeAByte() throws Exception {
        byte[] reference = samples("t1", "--threads", "1");
        assertArrayEquals(reference, samples("t2", "--threads", "2"), "2 threads");
        assertArrayEquals(reference, samples("b7", "--threads", "2", "--block-size", "7"), "blocks of 7");
        assertArrayEquals(reference, samples("b500", "--threads", "1", "--block-size", "500"), "blocks of 500");
    }

    /**
     * euler-maruyama with {@code noise: brownian} draws each particle's Brownian path from the
     * stage's path normals: threads and block sizes change no byte of it either, and it is other
     * numbers than the step noise's (the default, which the test above runs).
     */
    @Test
    void brownianPathNoiseDoesNotDependOnThreadsOrBlocks() throws Exception {
        String brownian = "stages.sample.predictor.noise=brownian";
        byte[] reference = samples("bm-t1", "--threads", "1", "--set", brownian);
        assertArrayEquals(reference, samples("bm-b7", "--threads", "2", "--block-size", "7", "--set", brownian),
                "2 threads, blocks of 7");
        assertEquals(false, Arrays.equals(reference, samples("bm-step", "--threads", "1")), "noise: step is another draw");
    }

    /**
     * The SIMD kernels (Philox lanes, the precision product's register tiles, the isotropic score's
     * lanes) and their plain twins give the same bytes: a run without the Vector API (or with
     * scorepipe.simd=false) is the same run. Both a full-covariance and an isotropic target.
     */
    @Test
    void simdKernelsAndTheirPlainTwinsGiveTheSameBytes() throws Exception {
        List<String> plain = List.of("-Dscorepipe.simd=false");
        byte[] simd = samples("simd", "--threads", "2");
        assertArrayEquals(simd, samplesOf(plain, "determinism.yaml", "plain", "--threads", "2"), "full covariance");
        Files.writeString(dir.resolve("isotropic.yaml"), PIPELINE
                .replace("covariance: [1.0, 0.2, 0.0, 0.2, 0.8, 0.1, 0.0, 0.1, 0.5]", "covariance: 1.3")
                .replace("covariance: [0.5, 0.7, 0.3]", "covariance: 0.7"));
        byte[] simdIso = samplesOf(List.of(), "isotropic.yaml", "simd-iso", "--threads", "2");
        byte[] plainIso = samplesOf(plain, "isotropic.yaml", "plain-iso", "--threads", "2");
        assertArrayEquals(simdIso, plainIso, "isotropic");
        assertEquals(false, Arrays.equals(simd, simdIso), "the isotropic target is another target");
    }

    /**
     * The shipped learned-score pipeline (its MLP run by the Java forward pass, engine auto) gives
     * the same bytes run after run and for any thread count: its activations may not depend on
     * when the JIT compiles them, which the Vector API's own EXP did.
     */
    @Test
    void theLearnedScorePipelineGivesTheSameBytesEveryRun() throws Exception {
        String file = Cli.PIPELINES.resolve("learned-pc-gmm-2d.yaml").toString();
        String[] small = {"--set", "pipeline.particles=2000", "--set", "stages.corrector.steps=40"};
        byte[] first = samplesOf(List.of(), file, "learned-1", concat(small, "--threads", "1"));
        assertArrayEquals(first, samplesOf(List.of(), file, "learned-2", concat(small, "--threads", "2")));
        assertArrayEquals(first, samplesOf(List.of(), file, "learned-3", concat(small, "--threads", "2", "--block-size", "100")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void theFirstRowsOfALargerRunAreTheSmallerRun() throws Exception {
        Particles large = NpyFile.read(writeAndRead("n2000", "2000"));
        Particles small = NpyFile.read(writeAndRead("n1000", "1000"));
        assertEquals(1000, small.size());
        assertArrayEquals(small.data(), Arrays.copyOf(large.data(), 1000 * 3));
    }

    private static Path writeAndRead(String name, String particles) throws Exception {
        samples(name, "--set", "pipeline.particles=" + particles);
        return dir.resolve(name).resolve("samples.npy");
    }

    @Test
    void anotherSeedGivesOtherSamples() throws Exception {
        byte[] a = samples("seed1", "--block-size", "333");
        byte[] b = samples("seed2", "--set", "pipeline.seed=99");
        assertEquals(a.length, b.length);
        assertEquals(false, Arrays.equals(a, b));
    }
}
