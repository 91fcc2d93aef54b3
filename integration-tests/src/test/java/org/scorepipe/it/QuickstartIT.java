package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart recovers the mixture: each mode's share within +-0.03 of its weight, and a
 * sliced-Wasserstein distance to the target close to that of exact samples.
 */
class QuickstartIT {
    @TempDir
    Path dir;

    @Test
    void recoversTheMixture() throws Exception {
        Path pipeline = Cli.PIPELINES.resolve("quickstart.yaml");
        Cli.Result run = Cli.run(dir, "run", pipeline.toString(), "--out", "qs");
        assertEquals(0, run.exitCode(), run.all());
        JsonObject sampled = metrics(dir.resolve("qs"));

        // The same evaluation of exact samples of the target (init from the data at t = 1e-3,
        // the quickstart's end time; the sampler's stages removed) measures the floor that
        // finite samples and projections put under the sliced-Wasserstein estimate.
        Cli.Result exact = Cli.run(dir, "run", pipeline.toString(), "--out", "exact",
                "--set", "stages.init.from=data", "--set", "stages.corrector.steps=0",
                "--set", "stages.sample.grid.steps=1", "--set", "stages.sample.grid.from=1.0e-3",
                "--set", "stages.sample.grid.to=0.9e-3");
        assertEquals(0, exact.exitCode(), exact.all());
        JsonObject floor = metrics(dir.resolve("exact"));

        var freq = sampled.getAsJsonArray("mode-frequencies");
        double[] weights = {0.2, 0.4, 0.4};
        for (int k = 0; k < 3; k++) {
            // 20 000 particles: the standard error of a share near 0.4 is 0.0035, so +-0.03 is
            // about 9 standard errors of sampling noise plus the sampler's own bias.
            assertEquals(weights[k], freq.get(k).getAsDouble(), 0.03, "mode " + k);
        }
        double sw = sampled.get("sliced-wasserstein").getAsDouble();
        double sw0 = floor.get("sliced-wasserstein").getAsDouble();
        // The sampler's remaining errors are the Langevin bias at T1 (h = 0.05 inflates variances
        // by about h / (2 sigma^2) < 3%) and the Euler error of the flow (200 steps), which move
        // each projected quantile by a few hundredths on a target of scale ~3. The floor is the
        // finite-sample error of a 20 000-point comparison. We allow the floor plus 0.1.
        assertTrue(sw0 < 0.1, "exact samples are close: " + sw0);
        assertTrue(sw < sw0 + 0.1, "sliced W2 " + sw + " against an exact-sample floor of " + sw0);
    }

    private static JsonObject metrics(Path run) throws Exception {
        JsonObject doc = JsonParser.parseString(Files.readString(run.resolve("metrics.json"))).getAsJsonObject();
        return doc.getAsJsonArray("evaluations").get(0).getAsJsonObject().getAsJsonObject("metrics");
    }
}
