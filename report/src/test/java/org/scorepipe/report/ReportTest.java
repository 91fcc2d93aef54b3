package org.scorepipe.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.Particles;
import org.scorepipe.core.CorePlugin;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.NpyFile;

class ReportTest {
    private static final ComponentRegistry CORE = ComponentRegistry.of(new CorePlugin());

    private static final String CONFIG_2D = """
            pipeline: {name: mix2, seed: 7, particles: 3000, dimension: 2}
            components:
              data:
                type: gaussian-mixture
                components:
                  - {weight: 0.2, mean: [-4.0, 0.0], covariance: 0.5}
                  - {weight: 0.4, mean: [4.0, 0.0], covariance: [1.0, 0.3]}
                  - {weight: 0.4, mean: [0.0, 4.0], covariance: [0.6, 0.2, 0.2, 0.4]}
              path: {type: ornstein-uhlenbeck}
              score: {type: analytic}
            stages:
              - {name: init, type: init, from: data}
              - {name: eval, type: evaluate, evaluators: [mode-frequencies]}
              - {name: save, type: save}
            """;

    private static final String METRICS_2D = """
            {"pipeline": "mix2", "seed": 7, "particles": 3000, "dimension": 2,
             "stages": [{"name": "init", "type": "init", "steps": 1, "seconds": 0.01, "particle-steps-per-second": 3.0e5},
                        {"name": "corrector", "type": "corrector", "steps": 40, "seconds": 0.2, "particle-steps-per-second": 6.0e5},
                        {"name": "sample", "type": "sample", "steps": 20, "seconds": 0.1, "particle-steps-per-second": NaN}],
             "evaluations": [{"stage": "eval", "t": 0.001,
                              "metrics": {"mode-frequencies": [0.21, 0.39, 0.40], "target-weights": [0.2, 0.4, 0.4],
                                          "sliced-wasserstein": 0.05, "knn-kl": Infinity}}],
             "curves": [{"stage": "corrector", "step": 10, "t": 1.0, "metrics": {"sliced-wasserstein": 0.9, "mmd": 0.5}},
                        {"stage": "corrector", "step": 20, "t": 1.0, "metrics": {"sliced-wasserstein": 0.4, "mmd": 0.2}},
                        {"stage": "sample", "step": 10, "t": 0.5, "metrics": {"sliced-wasserstein": 0.2,
                                                                              "radial-quantiles": [1.0, 2.0]}},
                        {"stage": "sample", "step": 20, "t": 0.001, "metrics": {"sliced-wasserstein": 0.1}}]}
            """;

    /** A run directory with the config, samples of its target, and the metrics given. */
    private static Path runDirectory(Path dir, String config, String metrics, int n) throws Exception {
        Files.writeString(dir.resolve("config.yaml"), config);
        if (metrics != null) {
            Files.writeString(dir.resolve("metrics.json"), metrics);
        }
        if (n > 0) {
            Target target = Target.rebuild(PipelineFile.parse("config.yaml", config, List.of()), CORE, new java.util.ArrayList<>())
                    .orElseThrow();
            Particles samples = new Particles(n, target.data().dimension());
            target.data().sample(samples.all(), PhiloxNoise.of(7, 3, 0));
            NpyFile.write(dir.resolve("samples.npy"), samples);
        }
        return dir;
    }

    private static Map<String, Plots.Plot> byFile(List<Plots.Plot> plots) {
        return plots.stream().collect(Collectors.toMap(Plots.Plot::file, p -> p));
    }

    private static void assertPng(Path file, int width, int height) throws Exception {
        assertTrue(Files.size(file) > 1000, file + " is " + Files.size(file) + " bytes");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is not an image");
        assertEquals(width, image.getWidth(), file.toString());
        assertEquals(height, image.getHeight(), file.toString());
        // Not a blank canvas: a chart has many colours.
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int x = 0; x < image.getWidth(); x += 7) {
            for (int y = 0; y < image.getHeight(); y += 7) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 3, file + " has " + colours.size() + " colours");
    }

    @Test
    void aTwoDimensionalRunGetsContoursCurvesModesAndAPage(@TempDir Path tmp) throws Exception {
        Path dir = runDirectory(tmp, CONFIG_2D, METRICS_2D, 3000);
        Map<String, Plots.Plot> plots = byFile(Report.read(dir, CORE).plots());
        // Samples plus the 50%, 90% and 99% contours.
        assertEquals(4, plots.get("samples.png").series());
        // Sliced Wasserstein in both stages, mmd in one; the vector metric is not a curve.
        assertEquals(2, plots.get("curve-sliced-wasserstein.png").series());
        assertEquals(1, plots.get("curve-mmd.png").series());
        assertFalse(plots.containsKey("curve-radial-quantiles.png"));
        assertEquals(2, plots.get("modes-eval.png").series());
        assertEquals(4, plots.size(), plots.keySet().toString());

        Path html = Report.write(dir, CORE);
        for (Plots.Plot p : plots.values()) {
            assertPng(dir.resolve("plots").resolve(p.file()), p.width(), p.height());
        }
        assertPng(dir.resolve("plots/samples.png"), 760, 640);
        String page = Files.readString(html, StandardCharsets.UTF_8);
        for (String file : plots.keySet()) {
            assertTrue(page.contains("<img src=\"plots/" + file + "\""), file);
        }
        assertTrue(page.contains("<table id=\"stages\">") && page.contains("<td>corrector</td>"), "stages table");
        assertTrue(page.contains("6.00e+05"), "throughput");
        assertTrue(page.contains("<td>sliced-wasserstein</td>") && page.contains("[0.2100, 0.3900, 0.4000]"), "metrics");
        assertTrue(page.contains("∞"), "an infinite metric is shown as such");
        assertTrue(page.contains("gaussian-mixture"), "the config");
        assertFalse(page.contains("http://") || page.contains("https://"), "no external address");
    }

    @Test
    void higherDimensionsGetPairsAndMarginals(@TempDir Path tmp) throws Exception {
        String config = """
                pipeline: {name: mix5, seed: 3, particles: 2000, dimension: 5}
                components:
                  data:
                    type: gaussian-mixture
                    components:
                      - {weight: 0.5, mean: [2.0, 0.0, 0.0, 0.0, 1.0], covariance: 0.5}
                      - {weight: 0.5, mean: [-2.0, 1.0, 0.0, 0.0, 0.0], covariance: [1.0, 0.5, 1.0, 0.5, 1.0]}
                  path: {type: ornstein-uhlenbeck}
                stages:
                  - {name: init, type: init, from: data}
                """;
        Path dir = runDirectory(tmp, config, null, 2000);
        Report.Contents contents = Report.read(dir, CORE);
        Map<String, Plots.Plot> plots = byFile(contents.plots());
        assertEquals(List.of("pairs-0-1.png", "pairs-0-2.png", "pairs-1-2.png", "marginal-0.png", "marginal-1.png",
                "marginal-2.png", "marginal-3.png"), contents.plots().stream().map(Plots.Plot::file).toList());
        for (Plots.Plot p : plots.values()) {
            // Samples against target samples, or a histogram against the closed-form marginal.
            assertEquals(2, p.series(), p.file());
        }
        assertTrue(contents.notes().contains("no metrics.json in the run directory"), contents.notes().toString());
        Report.write(dir, CORE);
        for (Plots.Plot p : plots.values()) {
            assertPng(dir.resolve("plots").resolve(p.file()), 560, p.file().startsWith("pairs") ? 480 : 420);
        }
        String csv = Files.readString(dir.resolve("metrics.csv"));
        assertEquals("kind,stage,step,t\n", csv);
    }

    @Test
    void withoutPluginsTheTargetIsMissingAndThePageSaysWhy(@TempDir Path tmp) throws Exception {
        Path dir = runDirectory(tmp, CONFIG_2D, METRICS_2D, 500);
        Report.Contents contents = Report.read(dir, ComponentRegistry.of());
        assertEquals(1, byFile(contents.plots()).get("samples.png").series());
        // The config is read by the run's own rules, so the note names the type no plugin provides.
        assertTrue(contents.notes().stream().anyMatch(n -> n.contains("unknown data source type 'gaussian-mixture'")
                && n.contains("is a plugin missing?")), contents.notes().toString());
        Path html = Report.write(dir, ComponentRegistry.of());
        assertTrue(Files.readString(html).contains("unknown data source type"));
    }

    @Test
    void aRunWithoutCurvesOrSamplesStillGetsAPage(@TempDir Path tmp) throws Exception {
        String metrics = """
                {"pipeline": "mix2", "stages": [], "evaluations": [{"stage": "eval", "t": 0.0, "metrics": {"mean-error": 0.1}}]}
                """;
        Path dir = runDirectory(tmp, CONFIG_2D, metrics, 0);
        Report.Contents contents = Report.read(dir, CORE);
        assertTrue(contents.plots().isEmpty());
        Path html = Report.write(dir, CORE);
        String page = Files.readString(html);
        assertTrue(page.contains("<td>mean-error</td>"));
        assertTrue(page.contains("no samples.npy"));
        assertTrue(Files.isDirectory(dir.resolve("plots")));
    }

    /** The repository's MNIST digits, pooled to 14 x 14: an image target. */
    private static final Path MNIST = Path.of("../pipelines/data/mnist/mnist-10k.npz").toAbsolutePath();

    @Test
    void anImageRunGetsGridsOfTheDataAndOfEverySavedEnsemble(@TempDir Path tmp) throws Exception {
        String config = "pipeline: {name: digits, seed: 7, particles: 40, dimension: 196}\n"
                + "components:\n  data: {type: images, path: '" + MNIST + "', key: images, pool: 2}\n"
                + "stages:\n  - {name: init, type: init, from: data}\n  - {name: save, type: save}\n";
        Files.writeString(tmp.resolve("config.yaml"), config);
        // samples.npy: 40 draws of the data; start.npy: a white and a black image; wrong.npy: not images.
        Target target = Target.rebuild(PipelineFile.parse("config.yaml", config, List.of()), CORE, new java.util.ArrayList<>())
                .orElseThrow();
        Particles samples = new Particles(40, 196);
        target.data().sample(samples.all(), PhiloxNoise.of(7, 3, 0));
        NpyFile.write(tmp.resolve("samples.npy"), samples);
        double[] start = new double[2 * 196];
        java.util.Arrays.fill(start, 0, 196, 1.0);
        NpyFile.write(tmp.resolve("start.npy"), new Particles(2, 196, 0, start, 0));
        NpyFile.write(tmp.resolve("wrong.npy"), new Particles(3, 5));

        Report.Contents contents = Report.read(tmp, CORE);
        assertEquals(List.of("grid-data.png", "grid-samples.png", "grid-start.png"),
                contents.grids().stream().map(ImageGrid::file).toList());
        assertTrue(contents.notes().stream().anyMatch(n -> n.startsWith("wrong.npy holds 3 rows of d = 5")), contents.notes().toString());
        Path html = Report.write(tmp, CORE);
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertTrue(page.contains("<h2>Samples as images</h2>") && page.contains("src=\"plots/grid-start.png\""), page);
        // The start grid: tile 0 white, tile 1 black (the digits' range is [0, 1]), on a grey gutter.
        BufferedImage grid = ImageIO.read(tmp.resolve("plots/grid-start.png").toFile());
        int scale = (ImageGrid.MIN_TILE + 13) / 14;
        assertEquals(2 + 2 * (14 * scale + 2), grid.getWidth());
        assertEquals(0xFFFFFF, grid.getRGB(2 + 5, 2 + 5) & 0xFFFFFF);
        assertEquals(0x000000, grid.getRGB(2 + 14 * scale + 2 + 5, 2 + 5) & 0xFFFFFF);
        // The samples' grid: 40 tiles, 7 columns by 6 rows, with digits in it (dark background, some bright strokes).
        BufferedImage digits = ImageIO.read(tmp.resolve("plots/grid-samples.png").toFile());
        assertEquals(2 + 7 * (14 * scale + 2), digits.getWidth());
        assertEquals(2 + 6 * (14 * scale + 2), digits.getHeight());
        int bright = 0;
        for (int x = 0; x < digits.getWidth(); x++) {
            for (int y = 0; y < digits.getHeight(); y++) {
                bright += (digits.getRGB(x, y) & 0xFF) > 200 ? 1 : 0;
            }
        }
        // MNIST strokes cover roughly 10-20% of a digit's pixels; the gutter is grey (128) and never counted.
        double share = bright / (double) (40 * 196 * scale * scale);
        assertTrue(share > 0.03 && share < 0.4, "bright share " + share);
    }
}
