package org.scorepipe.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.scorepipe.api.Particles;
import org.scorepipe.report.RunRecords.MetricsRecord;

/**
 * The report's charts, built as XChart objects (so their series can be counted before anything
 * is drawn) and written as PNG by {@link Report}:
 * <ul>
 *   <li>{@code d = 2}: {@code samples.png}, the samples (at most {@link #SCATTER_POINTS}, evenly
 *       spaced rows) over the target's highest-density contours holding 50%, 90% and 99% of its
 *       mass (a Gaussian-mixture target, density on a {@link #GRID} x {@link #GRID} grid), or over
 *       target samples for other targets;</li>
 *   <li>{@code d >= 3}: {@code pairs-i-j.png}, scatters of the coordinate pairs among the first
 *       three, samples against target samples;</li>
 *   <li>{@code d != 2}: {@code marginal-j.png} for the first {@link #MARGINALS} coordinates, a
 *       histogram of the samples against the target's marginal density (closed form for a
 *       mixture, else a histogram of target samples);</li>
 *   <li>{@code curve-NAME.png}: each scalar metric of the run's curves over the steps, one series
 *       per stage (not the sample sizes the quadratic metrics report, {@code *-subsample} and
 *       {@code *-reference-samples});</li>
 *   <li>{@code modes-STAGE.png}: mode frequencies against the target weights, per evaluation
 *       that has them.</li>
 * </ul>
 */
final class Plots {
    static final int SCATTER_POINTS = 5000;
    static final int GRID = 120;
    static final int MARGINALS = 4;
    static final int BINS = 60;
    static final double[] CONTOUR_MASSES = {0.5, 0.9, 0.99};

    private static final Color SAMPLES = new Color(31, 119, 180, 110);
    private static final Color TARGET = new Color(214, 39, 40, 110);
    private static final Color[] CONTOUR_COLOURS = {new Color(150, 0, 0), new Color(215, 80, 0), new Color(240, 160, 0)};

    /**
     * One chart and where it goes.
     *
     * @param file the file name under {@code plots/}
     * @param caption one line saying what it shows
     * @param chart the chart
     * @param series the number of series it holds
     */
    record Plot(String file, String caption, Chart<?, ?> chart, int series) {
        int width() {
            return chart.getWidth();
        }

        int height() {
            return chart.getHeight();
        }
    }

    private Plots() {
    }

    /** Every plot the run's outputs allow. */
    static List<Plot> all(RunRecords records, Optional<Particles> samples, Optional<Target> target) {
        List<Plot> plots = new ArrayList<>();
        if (samples.isPresent() && samples.get().size() > 0) {
            Particles x = samples.get();
            int d = x.dimension();
            Optional<Particles> reference = target.filter(t -> t.data().dimension() == d)
                    .map(t -> t.sample(Math.min(SCATTER_POINTS, Math.max(x.size(), 1000))));
            Optional<MixtureDensity> density = target.flatMap(Target::density).filter(m -> m.dimension() == d);
            if (d == 2) {
                plots.add(scatter2d(x, reference, density));
            }
            if (d >= 3) {
                for (int i = 0; i < 3; i++) {
                    for (int j = i + 1; j < 3; j++) {
                        plots.add(pair(x, reference, i, j));
                    }
                }
            }
            if (d != 2) {
                for (int j = 0; j < Math.min(d, MARGINALS); j++) {
                    plots.add(marginal(x, reference, density, j));
                }
            }
        }
        plots.addAll(curves(records.curves()));
        plots.addAll(modes(records.evaluations()));
        return plots;
    }

    private static XYChart xyChart(int width, int height, String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(3);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static void scatterSeries(XYChart chart, String name, double[] x, double[] y, Color colour) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        s.setMarkerColor(colour);
    }

    private static void lineSeries(XYChart chart, String name, double[] x, double[] y, Color colour) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(colour);
    }

    /** Coordinate {@code j} of at most {@code SCATTER_POINTS} evenly spaced rows. */
    private static double[] coordinate(Particles p, int j) {
        int n = p.size();
        int d = p.dimension();
        int m = Math.min(n, SCATTER_POINTS);
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            out[i] = p.data()[(int) ((long) i * n / m) * d + j];
        }
        return out;
    }

    static Plot scatter2d(Particles x, Optional<Particles> reference, Optional<MixtureDensity> density) {
        XYChart chart = xyChart(760, 640, "Samples over the target", "x[0]", "x[1]");
        double[] xs = coordinate(x, 0);
        double[] ys = coordinate(x, 1);
        String caption;
        if (density.isPresent()) {
            double[] bounds = bounds(xs, ys, density.get());
            double[] gx = grid(bounds[0], bounds[1]);
            double[] gy = grid(bounds[2], bounds[3]);
            double[][] values = new double[GRID][GRID];
            double[] point = new double[2];
            for (int i = 0; i < GRID; i++) {
                for (int j = 0; j < GRID; j++) {
                    point[0] = gx[i];
                    point[1] = gy[j];
                    values[i][j] = density.get().density(point);
                }
            }
            scatterSeries(chart, "samples (" + xs.length + ")", xs, ys, SAMPLES);
            for (int c = 0; c < CONTOUR_MASSES.length; c++) {
                double level = Contours.highestDensityLevel(values, CONTOUR_MASSES[c]);
                Contours.Polyline line = Contours.at(gx, gy, values, level);
                if (line.x().length > 0) {
                    lineSeries(chart, "target " + Math.round(CONTOUR_MASSES[c] * 100) + "% region", line.x(), line.y(),
                            CONTOUR_COLOURS[c]);
                }
            }
            chart.getStyler().setXAxisMin(bounds[0]).setXAxisMax(bounds[1]).setYAxisMin(bounds[2]).setYAxisMax(bounds[3]);
            caption = "The samples (" + xs.length + " of " + x.size() + " shown) over the target density's highest-density"
                    + " regions holding 50%, 90% and 99% of its mass.";
        } else if (reference.isPresent()) {
            scatterSeries(chart, "target samples", coordinate(reference.get(), 0), coordinate(reference.get(), 1), TARGET);
            scatterSeries(chart, "samples (" + xs.length + ")", xs, ys, SAMPLES);
            caption = "The samples (" + xs.length + " of " + x.size() + " shown) over samples of the target, which has no"
                    + " closed-form density.";
        } else {
            scatterSeries(chart, "samples (" + xs.length + ")", xs, ys, SAMPLES);
            caption = "The samples (" + xs.length + " of " + x.size() + " shown); the target could not be rebuilt.";
        }
        return new Plot("samples.png", caption, chart, chart.getSeriesCollection().size());
    }

    /** {x min, x max, y min, y max}: the samples' range and the components' 3-sd boxes, padded by 5%. */
    private static double[] bounds(double[] xs, double[] ys, MixtureDensity density) {
        double[] b = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (int k = 0; k < density.size(); k++) {
            double[] mean = density.mean(k);
            for (int j = 0; j < 2; j++) {
                double s = 3 * density.standardDeviation(k, j);
                b[2 * j] = Math.min(b[2 * j], mean[j] - s);
                b[2 * j + 1] = Math.max(b[2 * j + 1], mean[j] + s);
            }
        }
        // Samples far outside the target widen the view, within reason (a diverged sampler must not shrink the target to a dot).
        double spanX = b[1] - b[0];
        double spanY = b[3] - b[2];
        for (int i = 0; i < xs.length; i++) {
            if (Double.isFinite(xs[i]) && Double.isFinite(ys[i])) {
                b[0] = Math.max(Math.min(b[0], xs[i]), b[0] - spanX);
                b[1] = Math.min(Math.max(b[1], xs[i]), b[1] + spanX);
                b[2] = Math.max(Math.min(b[2], ys[i]), b[2] - spanY);
                b[3] = Math.min(Math.max(b[3], ys[i]), b[3] + spanY);
            }
        }
        double padX = 0.05 * (b[1] - b[0]);
        double padY = 0.05 * (b[3] - b[2]);
        return new double[] {b[0] - padX, b[1] + padX, b[2] - padY, b[3] + padY};
    }

    private static double[] grid(double from, double to) {
        double[] g = new double[GRID];
        for (int i = 0; i < GRID; i++) {
            g[i] = from + (to - from) * i / (GRID - 1);
        }
        return g;
    }

    static Plot pair(Particles x, Optional<Particles> reference, int i, int j) {
        XYChart chart = xyChart(560, 480, "Coordinates " + i + " and " + j, "x[" + i + "]", "x[" + j + "]");
        if (reference.isPresent()) {
            scatterSeries(chart, "target samples", coordinate(reference.get(), i), coordinate(reference.get(), j), TARGET);
        }
        double[] xs = coordinate(x, i);
        scatterSeries(chart, "samples (" + xs.length + ")", xs, coordinate(x, j), SAMPLES);
        return new Plot("pairs-" + i + "-" + j + ".png", "Coordinates " + i + " and " + j + " of the samples"
                + (reference.isPresent() ? " against target samples." : "."), chart, chart.getSeriesCollection().size());
    }

    static Plot marginal(Particles x, Optional<Particles> reference, Optional<MixtureDensity> density, int j) {
        XYChart chart = xyChart(560, 420, "Marginal of x[" + j + "]", "x[" + j + "]", "density");
        int n = x.size();
        int d = x.dimension();
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = x.data()[i * d + j];
        }
        double[] range = finiteRange(values);
        double[][] histogram = histogram(values, range[0], range[1]);
        lineSeries(chart, "samples", histogram[0], histogram[1], new Color(31, 119, 180));
        String against;
        if (density.isPresent()) {
            double[] gx = new double[200];
            double[] gy = new double[200];
            for (int i = 0; i < gx.length; i++) {
                gx[i] = range[0] + (range[1] - range[0]) * i / (gx.length - 1);
                gy[i] = density.get().marginal(j, gx[i]);
            }
            lineSeries(chart, "target", gx, gy, new Color(214, 39, 40));
            against = " against the target's marginal density.";
        } else if (reference.isPresent()) {
            Particles r = reference.get();
            double[] rv = new double[r.size()];
            for (int i = 0; i < rv.length; i++) {
                rv[i] = r.data()[i * d + j];
            }
            double[][] h = histogram(rv, range[0], range[1]);
            lineSeries(chart, "target samples", h[0], h[1], new Color(214, 39, 40));
            against = " against a histogram of target samples.";
        } else {
            against = ".";
        }
        return new Plot("marginal-" + j + ".png", "Histogram of coordinate " + j + " of all " + n + " samples" + against,
                chart, chart.getSeriesCollection().size());
    }

    /** The smallest and largest finite value, widened by 1 each way when they are equal (or none is finite). */
    static double[] finiteRange(double[] values) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (!(lo < hi)) {
            double c = Double.isFinite(lo) ? lo : 0.0;
            return new double[] {c - 1, c + 1};
        }
        return new double[] {lo, hi};
    }

    /** A density histogram on {@link #BINS} equal bins of {@code [lo, hi]}, as a step line {x, y}. */
    private static double[][] histogram(double[] values, double lo, double hi) {
        long[] counts = new long[BINS];
        double width = (hi - lo) / BINS;
        long total = 0;
        for (double v : values) {
            if (Double.isFinite(v) && v >= lo && v <= hi) {
                counts[Math.min(BINS - 1, (int) ((v - lo) / width))]++;
            }
            total++;
        }
        double[] x = new double[2 * BINS];
        double[] y = new double[2 * BINS];
        for (int b = 0; b < BINS; b++) {
            double h = total == 0 ? 0.0 : counts[b] / (total * width);
            x[2 * b] = lo + b * width;
            x[2 * b + 1] = lo + (b + 1) * width;
            y[2 * b] = h;
            y[2 * b + 1] = h;
        }
        return new double[][] {x, y};
    }

    /** One chart per scalar metric of the curves, with a line per stage over its steps (non-finite points left out). */
    static List<Plot> curves(List<MetricsRecord> curves) {
        Set<String> metrics = new LinkedHashSet<>();
        for (MetricsRecord r : curves) {
            r.metrics().forEach((name, value) -> {
                if (value instanceof Double && !bookkeeping(name)) {
                    metrics.add(name);
                }
            });
        }
        List<Plot> plots = new ArrayList<>();
        Set<String> files = new LinkedHashSet<>();
        for (String metric : metrics) {
            Map<String, List<double[]>> byStage = new LinkedHashMap<>();
            for (MetricsRecord r : curves) {
                if (r.metrics().get(metric) instanceof Double v && Double.isFinite(v)) {
                    byStage.computeIfAbsent(r.stage(), s -> new ArrayList<>()).add(new double[] {r.step(), v});
                }
            }
            if (byStage.isEmpty()) {
                continue;
            }
            XYChart chart = xyChart(560, 420, metric, "step", metric);
            byStage.forEach((stage, points) -> {
                double[] x = new double[points.size()];
                double[] y = new double[points.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = points.get(i)[0];
                    y[i] = points.get(i)[1];
                }
                XYSeries s = chart.addSeries(stage, x, y);
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
                s.setMarker(SeriesMarkers.CIRCLE);
            });
            String file = "curve-" + slug(metric) + ".png";
            for (int i = 2; !files.add(file); i++) {
                file = "curve-" + slug(metric) + "-" + i + ".png";
            }
            plots.add(new Plot(file, metric + " over the steps of "
                    + String.join(", ", byStage.keySet()) + ".", chart, chart.getSeriesCollection().size()));
        }
        return plots;
    }

    /** Sample sizes the quadratic metrics report next to their values: a table entry, not a curve. */
    static boolean bookkeeping(String metric) {
        return metric.endsWith("-subsample") || metric.endsWith("-reference-samples");
    }

    /** Mode frequencies against the target weights, one bar chart per evaluation that has both. */
    static List<Plot> modes(List<MetricsRecord> evaluations) {
        List<Plot> plots = new ArrayList<>();
        Set<String> files = new LinkedHashSet<>();
        for (MetricsRecord r : evaluations) {
            if (!(r.metrics().get("mode-frequencies") instanceof double[] frequencies)
                    || !(r.metrics().get("target-weights") instanceof double[] weights)
                    || frequencies.length != weights.length || frequencies.length == 0) {
                continue;
            }
            CategoryChart chart = new CategoryChartBuilder().width(560).height(420)
                    .title("Mode frequencies (" + r.stage() + ")").xAxisTitle("mode").yAxisTitle("share").build();
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            List<String> modes = new ArrayList<>();
            List<Double> sampled = new ArrayList<>();
            List<Double> target = new ArrayList<>();
            for (int k = 0; k < frequencies.length; k++) {
                modes.add(Integer.toString(k));
                sampled.add(frequencies[k]);
                target.add(weights[k]);
            }
            chart.addSeries("samples", modes, sampled).setFillColor(new Color(31, 119, 180));
            chart.addSeries("target weights", modes, target).setFillColor(new Color(214, 39, 40));
            String file = "modes-" + slug(r.stage()) + ".png";
            for (int i = 2; !files.add(file); i++) {
                file = "modes-" + slug(r.stage()) + "-" + i + ".png";
            }
            plots.add(new Plot(file, "Share of the samples nearest each mode at stage " + r.stage()
                    + " against the target's weights.", chart, chart.getSeriesCollection().size()));
        }
        return plots;
    }

    /** A file-name-safe form: lower case letters, digits and dashes. */
    static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        return s.isEmpty() ? "metric" : s;
    }
}
