package org.scorepipe.runtime.run;

import com.google.gson.Gson;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** A metrics document ({@code metrics.json}, or what a checkpoint carries) as text tables for a terminal. */
public final class MetricsTable {
    private static final Gson GSON = new Gson();

    private MetricsTable() {
    }

    /** The finished stages with their timings, then every recorded metric, each line indented by two spaces. */
    @SuppressWarnings("unchecked")
    public static String of(String json) {
        Map<String, Object> doc = json == null || json.isBlank() ? null : GSON.fromJson(json, Map.class);
        if (doc == null) {
            return "  (none)\n";
        }
        StringBuilder out = new StringBuilder();
        List<Map<String, Object>> stages = (List<Map<String, Object>>) doc.getOrDefault("stages", List.of());
        if (!stages.isEmpty()) {
            out.append(String.format("  %-16s %-16s %8s %10s %18s%n", "stage", "type", "steps", "seconds", "particle-steps/s"));
            for (Map<String, Object> s : stages) {
                out.append(String.format("  %-16s %-16s %8d %10.3f %18s%n", s.get("name"), s.get("type"), ((Number) s.get("steps")).longValue(),
                        ((Number) s.get("seconds")).doubleValue(), value(s.get("particle-steps-per-second"))));
            }
        }
        List<Map<String, Object>> evaluations = (List<Map<String, Object>>) doc.getOrDefault("evaluations", List.of());
        if (!evaluations.isEmpty()) {
            out.append(String.format("  %-16s %-10s %-28s %s%n", "evaluation", "t", "metric", "value"));
            for (Map<String, Object> e : evaluations) {
                ((Map<String, Object>) e.get("metrics")).forEach((name, v) -> out.append(
                        String.format("  %-16s %-10s %-28s %s%n", e.get("stage"), value(e.get("t")), name, value(v))));
            }
        }
        List<Object> curves = (List<Object>) doc.getOrDefault("curves", List.of());
        if (!curves.isEmpty()) {
            out.append(String.format("  curves: %d points (metrics.json has them)%n", curves.size()));
        }
        return out.length() == 0 ? "  (none)\n" : out.toString();
    }

    private static String value(Object v) {
        if (v instanceof List<?> list) {
            return list.stream().map(MetricsTable::value).collect(Collectors.joining(", ", "[", "]"));
        }
        if (v instanceof Number n) {
            return Double.isNaN(n.doubleValue()) ? "-" : String.format("%.4g", n.doubleValue());
        }
        return String.valueOf(v);
    }
}
