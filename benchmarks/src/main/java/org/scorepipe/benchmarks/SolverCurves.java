package org.scorepipe.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.run.RunControl;

/**
 * Sliced W2 against score evaluations for every reverse-process solver on
 * {@code reverse-exp-grid.yaml}'s target: each solver on the uniform grid (the stage
 * {@code eval-uniform} measures) at N = 10, 20, 50, 100, 200 steps, full runs of the pipeline
 * through the runtime. Writes {@code solver-curves.csv} (solver, N, evaluations, sliced W2,
 * covariance relative error) and {@code solver-curves.png} (log-log, a curve per solver) into
 * the output folder:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar \
 *       org.scorepipe.benchmarks.SolverCurves pipelines/reverse-exp-grid.yaml OUT_DIR
 * </pre>
 * Evaluations are the score rows per particle: N times the solver's evaluations per step.
 */
public final class SolverCurves {
    private SolverCurves() {
    }

    /** A solver: its label, its {@code --set} overrides of {@code components.predictor}, and its evaluations per step. */
    private record Solver(String label, List<String> overrides, int perStep) {
    }

    private static final List<Solver> SOLVERS = List.of(
            new Solver("exponential integrator", List.of(), 1),
            new Solver("dpm-solver++ 2M", List.of("type=dpm-solver++"), 1),
            new Solver("dpm-solver++ 2S", List.of("type=dpm-solver++", "method=2s"), 2),
            new Solver("dpm-solver++(2M) SDE", List.of("type=dpm-solver++-sde"), 1),
            new Solver("unipc", List.of("type=unipc"), 1),
            new Solver("ddim", List.of("type=ddim"), 1),
            new Solver("edm (Heun)", List.of("type=edm"), 2),
            new Solver("probability-flow Heun", List.of("type=probability-flow", "method=heun"), 2));

    private static final int[] STEPS = {10, 20, 50, 100, 200};

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: SolverCurves PIPELINE.yaml OUT_DIR");
            System.exit(2);
        }
        Path pipeline = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        Scorepipe scorepipe = new Scorepipe(ComponentRegistry.discover(SolverCurves.class.getClassLoader(), Optional.empty()));
        StringBuilder csv = new StringBuilder("solver,steps,evaluations,sliced_wasserstein,covariance_relative_error\n");
        XYChart chart = new XYChartBuilder().width(800).height(560).title("reverse-exp-grid.yaml, uniform grid, 20 000 particles")
                .xAxisTitle("score evaluations per particle").yAxisTitle("sliced W2 to the target at delta").build();
        chart.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendPosition(Styler.LegendPosition.InsideNE)
                .setMarkerSize(6);
        for (Solver solver : SOLVERS) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int n : STEPS) {
                List<String> overrides = new ArrayList<>();
                solver.overrides().forEach(o -> overrides.add("components.predictor." + o));
                overrides.add("components.uniform-grid.steps=" + n);
                overrides.add("components.decay-grid.steps=" + n);
                overrides.add("checkpoint.keep=0");
                Path dir = out.resolve("runs").resolve(solver.label().replaceAll("[^A-Za-z0-9+]+", "-") + "-" + n);
                Scorepipe.RunResult result = scorepipe.run(new Scorepipe.RunRequest(pipeline, overrides, Optional.of(dir),
                        out.resolve("runs")), new RunControl());
                Scorepipe.Evaluation uniform = result.evaluations().stream().filter(e -> e.stage().equals("eval-uniform"))
                        .findFirst().orElseThrow();
                double sw = uniform.metrics().number("sliced-wasserstein");
                double cov = uniform.metrics().number("covariance-relative-error");
                int evaluations = n * solver.perStep();
                csv.append(String.format("%s,%d,%d,%.4f,%.4f%n", solver.label(), n, evaluations, sw, cov));
                System.out.printf("%-24s N = %3d  evaluations %4d  sliced W2 %.4f  (cov %.4f)%n", solver.label(), n, evaluations, sw, cov);
                x.add((double) evaluations);
                y.add(sw);
            }
            chart.addSeries(solver.label(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        Files.writeString(out.resolve("solver-curves.csv"), csv);
        BitmapEncoder.saveBitmap(chart, out.resolve("solver-curves.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("wrote " + out.resolve("solver-curves.csv") + " and " + out.resolve("solver-curves.png"));
    }
}
