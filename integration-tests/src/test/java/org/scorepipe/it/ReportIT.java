package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a real run renders in a real browser: the quickstart (small) with convergence
 * curves runs through the CLI jar, then Debian's headless Chromium opens {@code report.html} from
 * the file system, and its DOM after the load event (the page's own script marks each image that
 * decoded with a non-zero size) and a screenshot are checked. Chromium runs with networking
 * features off and a private profile; the only address it is given is a {@code file://} one.
 *
 * <p>Chromium is installed by {@code .ci/run}. Without it the test is skipped on a developer's
 * machine, and fails under CI (the {@code CI} environment variable set), where a skip would hide
 * that the report was never checked.
 */
class ReportIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    static Path dir;

    private static Path run;

    @BeforeAll
    static void runTheQuickstartWithCurves() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            if (System.getenv("CI") != null) {
                fail("CI is set but " + CHROMIUM + " is missing: .ci/run installs Debian's chromium package"
                        + " (apt-get install -y chromium); the report's browser test cannot be skipped in CI");
            }
            assumeTrue(false, CHROMIUM + " is not installed (apt-get install chromium); skipping the browser test");
        }
        Path pipeline = Cli.PIPELINES.resolve("quickstart.yaml");
        Cli.Result result = Cli.run(dir, "run", pipeline.toString(), "--out", "qs", "--quiet",
                "--set", "pipeline.particles=3000", "--set", "stages.corrector.steps=100",
                "--set", "stages.corrector.every=25", "--set", "stages.corrector.evaluators=[sliced-wasserstein, mmd]",
                "--set", "stages.eval.evaluators=[mode-frequencies, moments, sliced-wasserstein, energy-distance]");
        assertEquals(0, result.exitCode(), result.all());
        run = dir.resolve("qs");
    }

    /** Runs headless Chromium on the report with {@code mode} ({@code --dump-dom} or {@code --screenshot=FILE}); returns stdout. */
    private static String chromium(Path profile, String... mode) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--metrics-recording-only", "--mute-audio", "--hide-scrollbars",
                "--user-data-dir=" + profile, "--virtual-time-budget=10000"));
        command.addAll(List.of(mode));
        command.add(run.resolve("report.html").toUri().toString());
        Path out = Files.createTempFile(dir, "chromium-out", ".txt");
        Path err = Files.createTempFile(dir, "chromium-err", ".txt");
        Process process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            fail("chromium did not finish in two minutes: " + Files.readString(err));
        }
        assertEquals(0, process.exitValue(), "chromium failed: " + Files.readString(err));
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    @Test
    void theReportRendersWithEveryImageLoaded() throws Exception {
        List<String> plots;
        try (var files = Files.list(run.resolve("plots"))) {
            plots = files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // The 2-D scatter over contours, the mode bars, and the two metrics recorded every 25 steps.
        assertTrue(plots.containsAll(List.of("samples.png", "modes-eval.png", "curve-sliced-wasserstein.png",
                "curve-mmd.png")), plots.toString());

        String dom = chromium(dir.resolve("profile-dom"), "--dump-dom");
        Matcher status = Pattern.compile("<p id=\"image-status\" data-loaded=\"(\\d+)\" data-total=\"(\\d+)\">").matcher(dom);
        assertTrue(status.find(), "the page's load script ran: " + dom);
        assertEquals(plots.size(), Integer.parseInt(status.group(2)), "one <img> per plot");
        assertEquals(status.group(2), status.group(1), "every image decoded");
        for (String plot : plots) {
            Matcher img = Pattern.compile("<img src=\"plots/" + Pattern.quote(plot)
                    + "\" width=\"(\\d+)\" height=\"\\d+\"[^>]*data-loaded=\"true\" data-natural-width=\"(\\d+)\"").matcher(dom);
            assertTrue(img.find(), plot + " is on the page and loaded");
            assertEquals(img.group(1), img.group(2), plot + ": the PNG has the width the page declares");
        }
        assertTrue(dom.contains("<table id=\"stages\">") && dom.contains("<td>corrector</td>"), "stages with throughput");
        assertTrue(dom.contains("<td>energy-distance</td>") && dom.contains("<td>energy-distance-subsample</td>"),
                "the metrics table, with the quadratic metric's subsample size");
        assertTrue(dom.contains("<pre id=\"config\">") && dom.contains("gaussian-mixture"), "the pipeline");
        String page = Files.readString(run.resolve("report.html"));
        assertFalse(Pattern.compile("(src|href)=\"(https?:)?//").matcher(page).find(), "no external address in the page");

        Path screenshot = dir.resolve("report.png");
        chromium(dir.resolve("profile-shot"), "--screenshot=" + screenshot, "--window-size=1280,2400");
        BufferedImage image = ImageIO.read(screenshot.toFile());
        assertEquals(1280, image.getWidth());
        // The first plot (the scatter: blue samples, red-orange contours) is on the screenshot: count
        // strongly blue and strongly red pixels, which the page's own text and tables do not use.
        int blue = 0;
        int red = 0;
        for (int x = 0; x < image.getWidth(); x += 2) {
            for (int y = 0; y < image.getHeight(); y += 2) {
                int rgb = image.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (b > 150 && r < 150 && b - r > 60) {
                    blue++;
                }
                if (r > 130 && g < 120 && b < 80) {
                    red++;
                }
            }
        }
        assertTrue(blue > 500 && red > 200, "plots visible on the screenshot: " + blue + " blue, " + red + " red pixels");
    }

    @Test
    void theReportCommandRebuildsIt() throws Exception {
        Path html = run.resolve("report.html");
        Path csv = run.resolve("metrics.csv");
        Files.delete(html);
        Files.delete(csv);
        Cli.Result result = Cli.run(dir, "report", run.toString());
        assertEquals(0, result.exitCode(), result.all());
        assertTrue(result.stdout().contains("report.html"), result.stdout());
        assertTrue(Files.size(html) > 1000);
        List<String> rows = Files.readAllLines(csv);
        assertTrue(rows.get(0).startsWith("kind,stage,step,t,"), rows.get(0));
        // One evaluation and the corrector's records at steps 0, 25, 50, 75 (and 100 if the runtime records the end).
        assertEquals(1, rows.stream().filter(r -> r.startsWith("evaluation,eval,")).count());
        assertTrue(rows.stream().filter(r -> r.startsWith("curve,corrector,")).count() >= 4, rows.toString());

        Cli.Result missing = Cli.run(dir, "report", dir.resolve("no-such-run").toString());
        assertEquals(2, missing.exitCode(), missing.all());
        assertTrue(missing.stderr().contains("not a directory"), missing.stderr());
    }
}
