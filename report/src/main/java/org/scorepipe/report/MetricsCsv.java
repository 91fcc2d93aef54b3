package org.scorepipe.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.scorepipe.report.RunRecords.MetricsRecord;

/**
 * {@code metrics.csv}: one row per record, evaluations first, then curve points, with the columns
 * {@code kind} ({@code evaluation} or {@code curve}), {@code stage}, {@code step} (empty for an
 * evaluation), {@code t}, then one column per metric in order of first appearance: a number as
 * {@code name}, a vector as {@code name[0]}, {@code name[1]}, ... A record without a metric leaves
 * its cell empty. Numbers are written in full precision ({@link Double#toString}), so the file
 * reads back to the same bits; {@code NaN} and {@code Infinity} appear as such.
 */
final class MetricsCsv {
    private MetricsCsv() {
    }

    static String of(RunRecords records) {
        // Column name -> (metric, index or -1 for a number).
        Map<String, Column> columns = new LinkedHashMap<>();
        List<MetricsRecord> all = new ArrayList<>(records.evaluations());
        all.addAll(records.curves());
        for (MetricsRecord r : all) {
            r.metrics().forEach((name, value) -> {
                if (value instanceof double[] v) {
                    for (int i = 0; i < v.length; i++) {
                        columns.putIfAbsent(name + "[" + i + "]", new Column(name, i));
                    }
                } else {
                    columns.putIfAbsent(name, new Column(name, -1));
                }
            });
        }
        StringBuilder csv = new StringBuilder("kind,stage,step,t");
        for (String header : columns.keySet()) {
            csv.append(',').append(quoted(header));
        }
        csv.append('\n');
        for (MetricsRecord r : records.evaluations()) {
            row(csv, "evaluation", r, columns);
        }
        for (MetricsRecord r : records.curves()) {
            row(csv, "curve", r, columns);
        }
        return csv.toString();
    }

    private record Column(String metric, int index) {
    }

    private static void row(StringBuilder csv, String kind, MetricsRecord r, Map<String, Column> columns) {
        csv.append(kind).append(',').append(quoted(r.stage())).append(',')
                .append(r.step() >= 0 ? Long.toString(r.step()) : "").append(',').append(r.time());
        for (Column c : columns.values()) {
            csv.append(',');
            Object value = r.metrics().get(c.metric());
            if (c.index() < 0 && value instanceof Double d) {
                csv.append(d);
            } else if (c.index() >= 0 && value instanceof double[] v && c.index() < v.length) {
                csv.append(v[c.index()]);
            }
        }
        csv.append('\n');
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String quoted(String field) {
        if (field.indexOf(',') < 0 && field.indexOf('"') < 0 && field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
