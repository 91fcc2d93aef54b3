package org.scorepipe.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.knowm.xchart.BitmapEncoder;
import org.scorepipe.api.Particles;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.config.TextFile;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.AtomicFiles;
import org.scorepipe.runtime.run.NpyFile;

/**
 * Builds a run directory's report from what the run left there ({@code config.yaml},
 * {@code metrics.json}, {@code samples.npy}; each may be missing): {@code plots/*.png}
 * ({@link Plots}), {@code metrics.csv} ({@link MetricsCsv}) and {@code report.html}
 * ({@link HtmlReport}), every file written atomically. Running it again rebuilds them all.
 *
 * <p>The target is rebuilt from {@code config.yaml} with the plugins on the class path
 * ({@link Target}); when that is impossible the plots go without it and the page says why.
 */
public final class Report {
    private static final Logger LOG = LogManager.getLogger(Report.class);

    private Report() {
    }

    /** Writes the report of {@code runDirectory} with the plugins of this class's loader; returns {@code report.html}. */
    public static Path write(Path runDirectory) {
        return write(runDirectory, ComponentRegistry.discover(Report.class.getClassLoader()));
    }

    /** Writes the report of {@code runDirectory}, rebuilding the target with {@code registry}; returns {@code report.html}. */
    public static Path write(Path runDirectory, ComponentRegistry registry) {
        Contents contents = read(runDirectory, registry);
        Path plotsDir = runDirectory.resolve("plots");
        try {
            Files.createDirectories(plotsDir);
            for (Plots.Plot plot : contents.plots()) {
                AtomicFiles.write(plotsDir.resolve(plot.file()), tmp -> {
                    try (OutputStream out = Files.newOutputStream(tmp)) {
                        BitmapEncoder.saveBitmap(plot.chart(), out, BitmapEncoder.BitmapFormat.PNG);
                    }
                });
            }
            for (ImageGrid grid : contents.grids()) {
                AtomicFiles.write(plotsDir.resolve(grid.file()), tmp -> {
                    if (!ImageIO.write(grid.image(), "png", tmp.toFile())) {
                        throw new IOException("no PNG writer in this Java");
                    }
                });
            }
            AtomicFiles.writeString(runDirectory.resolve("metrics.csv"), MetricsCsv.of(contents.records()));
            Path html = runDirectory.resolve("report.html");
            AtomicFiles.writeString(html, HtmlReport.of(runDirectory.getFileName().toString(), contents.configYaml(),
                    contents.records(), contents.plots(), contents.grids(), contents.notes()));
            LOG.info("report: {} ({} plots, {} image grids)", html, contents.plots().size(), contents.grids().size());
            return html;
        } catch (IOException e) {
            throw new ScorepipeException("could not write the report in " + runDirectory + ": " + e.getMessage());
        }
    }

    /**
     * What a report of {@code runDirectory} shows, before anything is written.
     *
     * @param configYaml the run's config text ("" if absent)
     * @param records its metrics
     * @param plots its charts
     * @param grids its samples drawn as images, when the data are images
     * @param notes what the report could not show, and why
     */
    record Contents(String configYaml, RunRecords records, List<Plots.Plot> plots, List<ImageGrid> grids, List<String> notes) {
    }

    static Contents read(Path runDirectory, ComponentRegistry registry) {
        if (!Files.isDirectory(runDirectory)) {
            throw new ScorepipeException(runDirectory + " is not a directory; give a run directory (runs/<name>-<time>)");
        }
        // Charts are drawn off-screen; a display is never needed.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        List<String> notes = new ArrayList<>();
        Path config = runDirectory.resolve("config.yaml");
        String configYaml = "";
        Optional<Target> target = Optional.empty();
        if (Files.exists(config)) {
            try {
                configYaml = TextFile.read(config, TextFile.CONFIG_LIMIT, "a run's config.yaml");
                target = Target.rebuild(PipelineFile.parse(config.toString(), configYaml, List.of()), registry, notes);
            } catch (IOException e) {
                throw new ScorepipeException(config + ": cannot read it: " + e.getMessage());
            } catch (ScorepipeException e) {
                notes.add("config.yaml could not be read back, so the report draws no target: " + e.getMessage());
            }
        } else {
            notes.add("no config.yaml in the run directory");
        }
        Path metrics = runDirectory.resolve("metrics.json");
        if (!Files.exists(metrics)) {
            notes.add("no metrics.json in the run directory");
        }
        RunRecords records = RunRecords.read(metrics);
        Optional<Particles> samples = Optional.empty();
        Path npy = runDirectory.resolve("samples.npy");
        if (Files.exists(npy)) {
            try {
                samples = Optional.of(NpyFile.read(npy));
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                // A damaged file (a lying header, cut short) fails in many ways; each is the same message, nothing is written.
                throw new ScorepipeException(npy + ": damaged, not the float64 [n, d] .npy file a run writes ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); restore it, or move it away"
                        + " to report without sample plots");
            }
        } else {
            notes.add("no samples.npy (the pipeline has no save stage), so there are no sample plots");
        }
        List<ImageGrid> grids = target.map(t -> grids(runDirectory, t, notes)).orElse(List.of());
        return new Contents(configYaml, records, Plots.all(records, samples, target), grids, notes);
    }

    /**
     * For a target whose samples are images: a grid of the data, and one of every {@code .npy} file
     * of the run directory's samples ({@code samples.npy} and what other save stages wrote, such as
     * the starting points), drawn on the data's range.
     */
    private static List<ImageGrid> grids(Path runDirectory, Target target, List<String> notes) {
        List<Integer> shape = target.data().shape();
        if (!ImageGrid.isImage(shape)) {
            return List.of();
        }
        int d = target.data().dimension();
        Particles data = target.sample(ImageGrid.TILES);
        double[] range = Plots.finiteRange(target.data().points().orElse(data.data()));
        List<ImageGrid> grids = new ArrayList<>();
        grids.add(ImageGrid.of("grid-data.png", "The data: " + data.size() + " draws of the data source, as " + shape + " images",
                data, shape, range[0], range[1]));
        List<Path> files;
        try (var listing = Files.list(runDirectory)) {
            files = listing.filter(f -> f.getFileName().toString().endsWith(".npy")).sorted().toList();
        } catch (IOException e) {
            throw new ScorepipeException(runDirectory + ": cannot list it: " + e.getMessage());
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            String stem = name.substring(0, name.length() - ".npy".length());
            try {
                Particles x = NpyFile.read(file);
                if (x.dimension() != d || x.size() == 0) {
                    notes.add(name + " holds " + x.size() + " rows of d = " + x.dimension() + ", not images of the data's d = " + d
                            + ", so it has no image grid");
                    continue;
                }
                grids.add(ImageGrid.of("grid-" + stem + ".png", "The first " + Math.min(x.size(), ImageGrid.TILES) + " of the "
                        + x.size() + " particles in " + name + ", on the data's range [" + range[0] + ", " + range[1] + "]",
                        x, shape, range[0], range[1]));
            } catch (IOException | RuntimeException e) {
                notes.add(name + " could not be read as a float64 [n, d] .npy file, so it has no image grid: " + e.getMessage());
            }
        }
        return grids;
    }
}
