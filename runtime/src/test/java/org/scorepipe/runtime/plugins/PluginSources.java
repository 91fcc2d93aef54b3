package org.scorepipe.runtime.plugins;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Source texts of small plugins, for {@link TestJar}. */
final class PluginSources {
    private PluginSources() {
    }

    /** A plugin class {@code pkg.cls} named {@code name}, of API {@code apiVersion} (null: the compiled-in constant). */
    static String plugin(String pkg, String cls, String name, String apiVersion, String... components) {
        return pluginWithConstructor(pkg, cls, name, apiVersion, "", components);
    }

    /** As above, with {@code constructorBody} run when the ServiceLoader instantiates it. */
    static String pluginWithConstructor(String pkg, String cls, String name, String apiVersion, String constructorBody,
            String... components) {
        String list = Arrays.stream(components).map(c -> c + ".class").collect(Collectors.joining(", "));
        return "package " + pkg + ";\n"
                + "public final class " + cls + " implements org.scorepipe.api.Plugin {\n"
                + "  public " + cls + "() { " + constructorBody + " }\n"
                + "  @Override public String name() { return \"" + name + "\"; }\n"
                + "  @Override public String apiVersion() { return " + (apiVersion == null ? "API_VERSION" : "\"" + apiVersion + "\"") + "; }\n"
                + "  @Override public java.util.List<Class<?>> components() { return java.util.List.of(" + list + "); }\n"
                + "}\n";
    }

    /** A corrector {@code pkg.cls} named {@code name} that adds {@code amount} to every coordinate. */
    static String shiftCorrector(String pkg, String cls, String name) {
        return "package " + pkg + ";\n"
                + "import jakarta.inject.Inject;\n"
                + "import org.scorepipe.api.*;\n"
                + "@Component(kind = ComponentKind.CORRECTOR, name = \"" + name + "\", doc = \"Adds amount to every coordinate.\")\n"
                + "public final class " + cls + " implements Corrector {\n"
                + "  public record Params(@Doc(\"the shift\") double amount) {}\n"
                + "  private final double amount;\n"
                + "  @Inject public " + cls + "(Params params) { this.amount = params.amount(); }\n"
                + "  @Override public void correct(Block block, double t, Noise noise) {\n"
                + "    double[] x = block.data();\n"
                + "    for (int c = block.offset(); c < block.offset() + block.size() * block.dimension(); c++) { x[c] += amount; }\n"
                + "  }\n"
                + "}\n";
    }

    /** A stage {@code pkg.cls} named {@code name} that adds {@code amount} at each of its {@code steps}. */
    static String shiftStage(String pkg, String cls, String name) {
        return "package " + pkg + ";\n"
                + "import jakarta.inject.Inject;\n"
                + "import org.scorepipe.api.*;\n"
                + "@Component(kind = ComponentKind.STAGE, name = \"" + name + "\", doc = \"Adds amount per step.\")\n"
                + "public final class " + cls + " implements Stage {\n"
                + "  public record Params(@Doc(\"the shift\") double amount, @Doc(\"steps\") @Default(\"1\") int steps) {\n"
                + "    public Params { if (steps < 0) throw new IllegalArgumentException(\"steps must be >= 0, got \" + steps); }\n"
                + "  }\n"
                + "  private final Params params;\n"
                + "  @Inject public " + cls + "(Params params, PipelineSpec pipeline, StageSpec stage) { this.params = params; }\n"
                + "  @Override public long steps() { return params.steps(); }\n"
                + "  @Override public void step(long k, Block block, Noise noise) {\n"
                + "    double[] x = block.data();\n"
                + "    for (int c = block.offset(); c < block.offset() + block.size() * block.dimension(); c++) { x[c] += params.amount(); }\n"
                + "  }\n"
                + "}\n";
    }

    /** A data source {@code pkg.cls} named {@code name} whose every coordinate is {@code expression}. */
    static String constantSource(String pkg, String cls, String name, String expression) {
        return "package " + pkg + ";\n"
                + "import jakarta.inject.Inject;\n"
                + "import org.scorepipe.api.*;\n"
                + "@Component(kind = ComponentKind.DATA_SOURCE, name = \"" + name + "\", doc = \"A constant.\")\n"
                + "public final class " + cls + " implements DataSource {\n"
                + "  private final int d;\n"
                + "  @Inject public " + cls + "(PipelineSpec spec) { this.d = spec.dimension(); }\n"
                + "  @Override public int dimension() { return d; }\n"
                + "  @Override public void sample(Block block, Noise noise) {\n"
                + "    double[] x = block.data();\n"
                + "    for (int c = block.offset(); c < block.offset() + block.size() * d; c++) { x[c] = " + expression + "; }\n"
                + "  }\n"
                + "}\n";
    }

    /** A class {@code pkg.cls} with a static method {@code value()} returning {@code value}. */
    static String library(String pkg, String cls, double value) {
        return "package " + pkg + ";\n"
                + "public final class " + cls + " {\n"
                + "  public static double value() { return " + value + "; }\n"
                + "}\n";
    }
}
