package org.scorepipe.report;

import java.util.List;
import java.util.Locale;
import org.scorepipe.report.RunRecords.MetricsRecord;
import org.scorepipe.report.RunRecords.StageRecord;

/**
 * {@code report.html}: one self-contained page (inline CSS, images by relative path under
 * {@code plots/}, no external address) with the pipeline's config, its stages with times and
 * throughput, the metrics of every evaluation, the convergence records and the plots.
 *
 * <p>A few lines of inline script mark each image once the page has loaded:
 * {@code data-loaded="true"} when it decoded with a non-zero size, and a summary in
 * {@code #image-status}, so a headless browser's DOM dump shows whether the pictures render.
 */
final class HtmlReport {
    private HtmlReport() {
    }

    static String of(String runName, String configYaml, RunRecords records, List<Plots.Plot> plots, List<ImageGrid> grids,
            List<String> notes) {
        StringBuilder h = new StringBuilder(16_384);
        String title = "scorepipe report: " + (records.pipeline().isEmpty() ? runName : records.pipeline());
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").append(escape(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>").append(escape(title)).append("</h1>\n<p class=\"summary\" id=\"summary\">Run <code>")
                .append(escape(runName)).append("</code>");
        if (records.particles() > 0) {
            h.append(": ").append(records.particles()).append(" particles in ").append(records.dimension()).append(" dimensions");
        }
        records.seed().ifPresent(seed -> h.append(", seed ").append(seed));
        h.append(".</p>\n");
        for (String note : notes) {
            h.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }

        h.append("<h2>Stages</h2>\n");
        if (records.stages().isEmpty()) {
            h.append("<p>No stage finished.</p>\n");
        } else {
            h.append("<table id=\"stages\">\n<thead><tr><th>stage</th><th>type</th><th class=\"n\">steps</th>"
                    + "<th class=\"n\">seconds</th><th class=\"n\">particle-steps/s</th></tr></thead>\n<tbody>\n");
            for (StageRecord s : records.stages()) {
                h.append("<tr><td>").append(escape(s.name())).append("</td><td>").append(escape(s.type()))
                        .append("</td><td class=\"n\">").append(s.steps()).append("</td><td class=\"n\">")
                        .append(format(s.seconds(), "%.3f")).append("</td><td class=\"n\">")
                        .append(format(s.particleStepsPerSecond(), "%.3g")).append("</td></tr>\n");
            }
            h.append("</tbody>\n</table>\n");
        }

        h.append("<h2>Metrics</h2>\n");
        if (records.evaluations().isEmpty()) {
            h.append("<p>No evaluate stage recorded metrics.</p>\n");
        } else {
            h.append("<table id=\"metrics\">\n<thead><tr><th>stage</th><th class=\"n\">t</th><th>metric</th>"
                    + "<th class=\"n\">value</th></tr></thead>\n<tbody>\n");
            for (MetricsRecord r : records.evaluations()) {
                r.metrics().forEach((name, value) -> h.append("<tr><td>").append(escape(r.stage()))
                        .append("</td><td class=\"n\">").append(format(r.time(), "%.4g")).append("</td><td>")
                        .append(escape(name)).append("</td><td class=\"n\">").append(escape(value(value)))
                        .append("</td></tr>\n"));
            }
            h.append("</tbody>\n</table>\n");
        }
        if (!records.curves().isEmpty()) {
            h.append("<p>").append(records.curves().size()).append(" convergence records (every <code>every</code> steps)"
                    + " are plotted below and listed in <a href=\"metrics.csv\">metrics.csv</a>.</p>\n");
        } else {
            h.append("<p>All records are also in <a href=\"metrics.csv\">metrics.csv</a>.</p>\n");
        }

        h.append("<h2>Plots</h2>\n");
        if (plots.isEmpty()) {
            h.append("<p>Nothing to plot: no samples.npy and no metrics with curves or modes.</p>\n");
        }
        h.append("<div class=\"plots\">\n");
        for (Plots.Plot p : plots) {
            h.append("<figure><img src=\"plots/").append(escape(p.file())).append("\" width=\"").append(p.width())
                    .append("\" height=\"").append(p.height()).append("\" alt=\"").append(escape(p.caption()))
                    .append("\" data-loaded=\"false\"><figcaption>").append(escape(p.caption()))
                    .append("</figcaption></figure>\n");
        }
        h.append("</div>\n");
        if (!grids.isEmpty()) {
            h.append("<h2>Samples as images</h2>\n<div class=\"plots\" id=\"grids\">\n");
            for (ImageGrid g : grids) {
                h.append("<figure><img src=\"plots/").append(escape(g.file())).append("\" width=\"").append(g.width())
                        .append("\" height=\"").append(g.height()).append("\" alt=\"").append(escape(g.caption()))
                        .append("\" data-loaded=\"false\"><figcaption>").append(escape(g.caption()))
                        .append("</figcaption></figure>\n");
            }
            h.append("</div>\n");
        }
        h.append("<p id=\"image-status\">images not checked (scripts off)</p>\n");

        h.append("<h2>Pipeline</h2>\n<pre id=\"config\">").append(escape(configYaml)).append("</pre>\n");
        h.append(SCRIPT).append("</body>\n</html>\n");
        return h.toString();
    }

    private static final String CSS = """
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px;
                   color: #222; padding: 0 1em; }
            h1 { font-size: 1.6em; border-bottom: 2px solid #1f77b4; padding-bottom: .2em; }
            h2 { font-size: 1.25em; margin-top: 1.6em; }
            table { border-collapse: collapse; margin: .5em 0; }
            th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; }
            th { background: #f0f4f8; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            pre { background: #f7f7f7; border: 1px solid #ddd; padding: .8em; overflow-x: auto; }
            .plots { display: flex; flex-wrap: wrap; gap: 1em; }
            figure { margin: 0; border: 1px solid #ddd; padding: .5em; background: #fff; }
            figure img { display: block; max-width: 100%; height: auto; }
            figcaption { font-size: .9em; color: #555; max-width: 560px; }
            .note { background: #fff6e0; border-left: 4px solid #e0a000; padding: .4em .8em; }
            """;

    /** Marks the images after load: the page is ours and this runs only in the reader's browser. */
    private static final String SCRIPT = """
            <script>
            window.addEventListener('load', function () {
              var images = document.querySelectorAll('figure img');
              var loaded = 0;
              images.forEach(function (img) {
                var ok = img.complete && img.naturalWidth > 0;
                img.setAttribute('data-loaded', ok ? 'true' : 'false');
                img.setAttribute('data-natural-width', String(img.naturalWidth));
                if (ok) { loaded++; }
              });
              var status = document.getElementById('image-status');
              status.textContent = loaded + ' of ' + images.length + ' images loaded';
              status.setAttribute('data-loaded', String(loaded));
              status.setAttribute('data-total', String(images.length));
            });
            </script>
            """;

    private static String value(Object value) {
        if (value instanceof double[] v) {
            StringBuilder s = new StringBuilder("[");
            for (int i = 0; i < v.length; i++) {
                s.append(i == 0 ? "" : ", ").append(format(v[i], "%.4g"));
            }
            return s.append(']').toString();
        }
        return format((Double) value, "%.6g");
    }

    private static String format(double v, String pattern) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, pattern, v) : (Double.isNaN(v) ? "-" : (v > 0 ? "∞" : "-∞"));
    }

    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> s.append(c);
            }
        }
        return s.toString();
    }
}
