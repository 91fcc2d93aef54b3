package org.scorepipe.report;

import static java.util.Objects.requireNonNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.config.TextFile;

/**
 * What a run's {@code metrics.json} holds:
 * <pre>
 *   {"pipeline", "seed", "particles", "dimension",
 *    "stages":      [{"name", "type", "steps", "seconds", "particle-steps-per-second"}],
 *    "evaluations": [{"stage", "t", "metrics": {name: number | [numbers]}}],
 *    "curves":      [{"stage", "step", "t", "metrics": {...}}]}
 * </pre>
 * Every part may be missing (a run that failed early, a run without curves); numbers written as
 * {@code NaN} or {@code Infinity} are read back as such.
 *
 * @param pipeline the pipeline's name, or empty
 * @param seed the seed, if recorded
 * @param particles the number of particles (0 if not recorded)
 * @param dimension the dimension (0 if not recorded)
 * @param stages the finished stages, in order
 * @param evaluations the evaluate stages' records, in order
 * @param curves the records taken every N steps, in order
 */
public record RunRecords(String pipeline, OptionalLong seed, int particles, int dimension, List<StageRecord> stages,
        List<MetricsRecord> evaluations, List<MetricsRecord> curves) {

    public RunRecords {
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(seed, "seed is null");
        stages = List.copyOf(stages);
        evaluations = List.copyOf(evaluations);
        curves = List.copyOf(curves);
    }

    /** The bound on metrics.json: curves of a long run are tens of megabytes at most. */
    private static final int METRICS_LIMIT = 512 << 20;

    /** A finished stage's timing. */
    public record StageRecord(String name, String type, long steps, double seconds, double particleStepsPerSecond) {
    }

    /**
     * One record of metrics.
     *
     * @param stage the stage that recorded it
     * @param step the step within the stage (curves), or -1 (evaluations)
     * @param time the particles' time
     * @param metrics each value a {@code Double} or a {@code double[]}, in the file's order
     */
    public record MetricsRecord(String stage, long step, double time, Map<String, Object> metrics) {
        public MetricsRecord {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }

    /** The records of {@code file}; a missing file gives empty records. */
    public static RunRecords read(Path file) {
        if (!Files.exists(file)) {
            return new RunRecords("", OptionalLong.empty(), 0, 0, List.of(), List.of(), List.of());
        }
        try {
            return parse(TextFile.read(file, METRICS_LIMIT, "a run's metrics.json"));
        } catch (IOException e) {
            throw new ScorepipeException(file + ": cannot read it: " + e.getMessage());
        } catch (RuntimeException e) {
            // A damaged document fails wherever Gson meets it (a parse error, a number that is not one, a missing object).
            if (e instanceof ScorepipeException s) {
                throw s;
            }
            throw new ScorepipeException(file + ": damaged, not the metrics.json a run writes ("
                    + String.valueOf(e.getMessage()).replaceAll("\\s*\\R\\s*", " ") + "); restore it, or move it away to report"
                    + " without metrics");
        }
    }

    static RunRecords parse(String json) {
        com.google.gson.stream.JsonReader reader = new com.google.gson.stream.JsonReader(new java.io.StringReader(json));
        // NaN and Infinity are what the run directory writes for undefined numbers.
        reader.setStrictness(com.google.gson.Strictness.LENIENT);
        JsonObject root = JsonParser.parseReader(reader).getAsJsonObject();
        List<StageRecord> stages = new ArrayList<>();
        for (JsonElement e : array(root, "stages")) {
            JsonObject s = e.getAsJsonObject();
            stages.add(new StageRecord(string(s, "name"), string(s, "type"), s.has("steps") ? s.get("steps").getAsLong() : 0,
                    number(s, "seconds"), number(s, "particle-steps-per-second")));
        }
        return new RunRecords(string(root, "pipeline"),
                root.has("seed") ? OptionalLong.of(root.get("seed").getAsLong()) : OptionalLong.empty(),
                root.has("particles") ? root.get("particles").getAsInt() : 0,
                root.has("dimension") ? root.get("dimension").getAsInt() : 0,
                stages, records(array(root, "evaluations")), records(array(root, "curves")));
    }

    private static List<MetricsRecord> records(JsonArray items) {
        List<MetricsRecord> records = new ArrayList<>();
        for (JsonElement e : items) {
            JsonObject r = e.getAsJsonObject();
            Map<String, Object> metrics = new LinkedHashMap<>();
            if (r.has("metrics")) {
                for (Map.Entry<String, JsonElement> m : r.getAsJsonObject("metrics").entrySet()) {
                    JsonElement v = m.getValue();
                    if (v.isJsonArray()) {
                        JsonArray a = v.getAsJsonArray();
                        double[] values = new double[a.size()];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = a.get(i).getAsDouble();
                        }
                        metrics.put(m.getKey(), values);
                    } else if (v.isJsonPrimitive()) {
                        metrics.put(m.getKey(), v.getAsDouble());
                    }
                }
            }
            records.add(new MetricsRecord(string(r, "stage"), r.has("step") ? r.get("step").getAsLong() : -1,
                    number(r, "t"), metrics));
        }
        return records;
    }

    private static JsonArray array(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonArray() ? o.getAsJsonArray(key) : new JsonArray();
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : "";
    }

    private static double number(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsDouble() : Double.NaN;
    }
}
