package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of every paper pipeline through the CLI jar, shrunk with {@code --set} to a few
 * seconds each: the run succeeds, writes samples of the pipeline's shape, and shows the paper's
 * effect in a loose form (the full runs and their numbers are in pipelines/README.md).
 */
class PaperPipelinesIT {
    @TempDir
    Path dir;

    private JsonObject run(String pipeline, String out, String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", Cli.PIPELINES.resolve(pipeline).toString(), "--out", out));
        for (String set : sets) {
            args.add("--set");
            args.add(set);
        }
        Cli.Result result = Cli.run(dir, args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.all());
        return JsonParser.parseString(Files.readString(dir.resolve(out).resolve("metrics.json"))).getAsJsonObject();
    }

    /** The metrics recorded by the evaluate stage {@code stage}. */
    private static JsonObject metrics(JsonObject doc, String stage) {
        for (JsonElement e : doc.getAsJsonArray("evaluations")) {
            JsonObject evaluation = e.getAsJsonObject();
            if (evaluation.get("stage").getAsString().equals(stage)) {
                return evaluation.getAsJsonObject("metrics");
            }
        }
        throw new AssertionError("no evaluation by stage " + stage + " in " + doc.getAsJsonArray("evaluations"));
    }

    private static double[] vector(JsonObject metrics, String name) {
        JsonArray a = metrics.getAsJsonArray(name);
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsDouble();
        }
        return v;
    }

    /** The shape written in the header of the run's samples.npy. */
    private int[] samplesShape(String out) throws Exception {
        byte[] bytes = Files.readAllBytes(dir.resolve(out).resolve("samples.npy"));
        String header = new String(bytes, 0, Math.min(bytes.length, 256), StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("'shape': \\((\\d+), (\\d+)\\)").matcher(header);
        assertTrue(m.find(), header);
        return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
    }

    @Test
    void chainedLangevinFindsTheModesThatVanillaAndAnnealedMiss() throws Exception {
        JsonObject doc = run("chained-ld-gmm.yaml", "chained", "pipeline.particles=200", "stages.vanilla.steps=200",
                "stages.annealed.steps-per-level=50", "stages.chained.steps-per-level=100");
        assertArrayEquals(new int[] {200, 100}, samplesShape("chained"));
        // Started in the wide mode 0, vanilla and annealed Langevin do not leave it in d = 100 (the full run:
        // every particle stays); chained Langevin spreads over the three modes (0.2 / 0.4 / 0.4). Loose
        // bounds: 200 particles give shares within +-0.15 of the weights at 5 standard errors.
        assertTrue(vector(metrics(doc, "eval-vanilla"), "mode-frequencies")[0] > 0.95);
        assertTrue(vector(metrics(doc, "eval-annealed"), "mode-frequencies")[0] > 0.8);
        double[] chained = vector(metrics(doc, "eval-chained"), "mode-frequencies");
        assertTrue(chained[0] < 0.45 && chained[1] > 0.2 && chained[2] > 0.2, java.util.Arrays.toString(chained));
    }

    @Test
    void predictionCorrectionWithATruncatedScoreRecoversTheMixture() throws Exception {
        JsonObject doc = run("pc-t1-gmm.yaml", "pc", "pipeline.particles=2000", "stages.corrector.steps=100",
                "stages.sample.grid.steps=50", "stages.corrector.time=2.0", "stages.sample.grid.from=2.0",
                "stages.corrector.corrector.score=truncated", "stages.sample.predictor.score=truncated");
        assertArrayEquals(new int[] {2000, 10}, samplesShape("pc"));
        // 2000 particles: a share's standard error is about 0.011; 0.08 is 7 of them plus the sampler's bias.
        assertTrue(metrics(doc, "eval").get("max-weight-error").getAsDouble() < 0.08, metrics(doc, "eval").toString());
    }

    @Test
    void theExponentialDecayGridBeatsTheUniformOneAtFewSteps() throws Exception {
        JsonObject doc = run("reverse-exp-grid.yaml", "grid", "pipeline.particles=2000",
                "components.uniform-grid.steps=20", "components.decay-grid.steps=20");
        assertArrayEquals(new int[] {2000, 10}, samplesShape("grid"));
        double uniform = metrics(doc, "eval-uniform").get("sliced-wasserstein").getAsDouble();
        double decay = metrics(doc, "eval-decay").get("sliced-wasserstein").getAsDouble();
        assertTrue(decay < uniform, "exponential-decay " + decay + " against uniform " + uniform);
    }

    /**
     * The adaptive probability-flow stage through the CLI: the steps it records cover [delta, T],
     * and the weights it reaches are within 5 binomial standard deviations (5 sqrt(0.24 / 2000) = 0.055)
     * of the target's (the ODE is solved to 1e-5; what is left is sampling noise).
     */
    @Test
    void theAdaptiveFlowRecordsItsStepsAndReachesTheWeights() throws Exception {
        JsonObject doc = run("adaptive-flow-gmm.yaml", "adaptive", "pipeline.particles=2000");
        assertArrayEquals(new int[] {2000, 10}, samplesShape("adaptive"));
        JsonObject flow = metrics(doc, "flow");
        double[] steps = vector(flow, "step-sizes");
        assertEquals(steps.length, flow.get("accepted-steps").getAsDouble(), 0.0);
        assertEquals(8.0 - 1e-3, java.util.Arrays.stream(steps).sum(), 1e-9);
        assertTrue(metrics(doc, "eval").get("max-weight-error").getAsDouble() < 5 * Math.sqrt(0.24 / 2000), doc.toString());
    }

    @Test
    void leeLuTanRunsTheThreeSamplersWithAPerturbedScore() throws Exception {
        JsonObject exact = run("lee-lu-tan.yaml", "llt0", "pipeline.particles=1000", "components.grid.steps=50",
                "stages.corrector.steps=100", "components.estimate.epsilon=0.0");
        JsonObject biased = run("lee-lu-tan.yaml", "llt1", "pipeline.particles=1000", "components.grid.steps=50",
                "stages.corrector.steps=100", "components.estimate.epsilon=1.0");
        assertArrayEquals(new int[] {1000, 10}, samplesShape("llt1"));
        // With the exact score the reverse SDE finds the weights (1000 particles: 0.1 is 7 standard errors)
        // and Langevin alone from N(0, I) does not (the full run: 0.32 off); a bias of norm 1 degrades the
        // reverse SDE (the full run: sliced W2 from 0.04 to 1.08).
        assertTrue(metrics(exact, "eval-predictor").get("max-weight-error").getAsDouble() < 0.1);
        assertTrue(metrics(exact, "eval-corrector").get("max-weight-error").getAsDouble() > 0.15);
        for (String stage : List.of("eval-predictor", "eval-pc")) {
            double before = metrics(exact, stage).get("sliced-wasserstein").getAsDouble();
            double after = metrics(biased, stage).get("sliced-wasserstein").getAsDouble();
            assertTrue(after > before + 0.3, stage + ": " + before + " -> " + after);
        }
    }

    @Test
    void diffusionAnnealedLangevinRecoversTheMixtureWithEachSchedule() throws Exception {
        for (String schedule : List.of("linear", "cosine", "sigmoid")) {
            JsonObject doc = run("dalmc-gmm.yaml", "dalmc-" + schedule, "pipeline.particles=2000",
                    "components.path.schedule=" + schedule, "stages.langevin.steps-per-level=10");
            assertArrayEquals(new int[] {2000, 2}, samplesShape("dalmc-" + schedule));
            // 2000 particles: 0.08 is 7 standard errors of a share near 0.4.
            assertTrue(metrics(doc, "eval").get("max-weight-error").getAsDouble() < 0.08,
                    schedule + ": " + metrics(doc, "eval"));
        }
    }

    /**
     * The pipeline as shipped (exact analytic score, 400 levels) with 2000 particles: with the
     * Student-t base the 90 / 99 / 99.9% radial quantiles match the exact ones of t_3 in 2-D,
     * sqrt(2 F^{-1}_{2,3}(p)) = 3.305, 7.851, 17.234 (SciPy f.ppf; the evaluator's own values), within
     * 4 sampling sd, sqrt(p (1 - p) / n) dQ/dp = 0.094, 0.61, 4.1 at n = 2000 (dQ/dp from the exact
     * radial law). The full 10 000-particle run sits 1.1, 2.2 and 1.8 sd from them (pipelines/README.md):
     * what remains is the sampler's discretisation. With the Gaussian base the 99% quantile falls
     * more than 20% short (5.3 in the full run, 7.85 exact).
     */
    @Test
    void diffusionAnnealedLangevinOnAHeavyTailedTarget() throws Exception {
        double[] exact = {3.305263454074174, 7.85067135351853, 17.23368793961408};
        double[] sd = {0.0942, 0.611, 4.10};
        JsonObject doc = run("dalmc-heavy-tail.yaml", "heavy", "pipeline.particles=2000", "components.path.base=student-t");
        assertArrayEquals(new int[] {2000, 2}, samplesShape("heavy"));
        double[] quantiles = vector(metrics(doc, "eval"), "radial-quantiles");
        double[] target = vector(metrics(doc, "eval"), "target-radial-quantiles");
        for (int i = 0; i < 3; i++) {
            assertEquals(exact[i], target[i], 1e-9 * exact[i], "the exact radial quantiles");
            assertEquals(exact[i], quantiles[i], 4 * sd[i], "Student-t base: " + java.util.Arrays.toString(quantiles));
        }
        JsonObject gaussian = run("dalmc-heavy-tail.yaml", "heavy-gaussian", "pipeline.particles=2000",
                "components.path.base=gaussian");
        double[] light = vector(metrics(gaussian, "eval"), "radial-quantiles");
        assertTrue(light[1] < 0.8 * exact[1], "Gaussian base: " + java.util.Arrays.toString(light));
    }
}
