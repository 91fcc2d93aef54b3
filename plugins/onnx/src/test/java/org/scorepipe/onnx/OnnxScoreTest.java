package org.scorepipe.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.runtime.noise.PhiloxNoise;

class OnnxScoreTest {
    static final NoisingPath OU = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    static final double[] MU = {1.5, -0.5, 2.0};
    static final double S2 = 0.7;

    @TempDir
    Path dir;

    static PipelineSpec spec(int d) {
        return new PipelineSpec("test", 1, 10, d);
    }

    static OnnxScore.Params params(Path model, String x, String t, ScoreOutput output, Precision precision) {
        return new OnnxScore.Params(model.toString(), x, t, null, output, precision, 1);
    }

    /**
     * The score of {@code N(mu, s2 I)} on the Ornstein-Uhlenbeck path, built from ONNX operators with t as
     * {@code [n]}: {@code p_t = N(alpha mu, (alpha^2 s2 + 1 - alpha^2) I)}, {@code alpha = exp(-t)}, so
     * {@code s = -(x - alpha mu) / (alpha^2 s2 + 1 - alpha^2)}. The rows are transposed so that the per-row time
     * broadcasts along the last axis.
     */
    static Path gaussianScoreModel(Path file, OnnxGraphBuilder.ElementType type) throws IOException {
        int d = MU.length;
        new OnnxGraphBuilder("gaussian-score", type)
                .input("x", d).input("t").output("score", d)
                .constant("mu", MU, d, 1)
                .constant("s2", new double[] {S2})
                .constant("one", new double[] {1.0})
                .node("Transpose", "xT", new String[] {"x"}, "perm", new long[] {1, 0})
                .node("Neg", "negT", new String[] {"t"})
                .node("Exp", "alpha", new String[] {"negT"})
                .node("Mul", "alpha2", new String[] {"alpha", "alpha"})
                .node("Mul", "a2s2", new String[] {"alpha2", "s2"})
                .node("Sub", "sigma2", new String[] {"one", "alpha2"})
                .node("Add", "var", new String[] {"a2s2", "sigma2"})
                .node("Mul", "mean", new String[] {"mu", "alpha"})
                .node("Sub", "centred", new String[] {"xT", "mean"})
                .node("Div", "ratio", new String[] {"centred", "var"})
                .node("Neg", "scoreT", new String[] {"ratio"})
                .node("Transpose", "score", new String[] {"scoreT"}, "perm", new long[] {1, 0})
                .write(file);
        return file;
    }

    static double[] points(int rows, int d, long seed) {
        double[] x = new double[rows * d];
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, x, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 2.0;
        }
        return x;
    }

    @Test
    void aGraphOfTheGaussianScoreGivesThatScoreInBothPrecisions() throws IOException {
        int d = MU.length;
        int rows = 257;
        double[] x = points(rows + 1, d, 3);
        for (Precision precision : Precision.values()) {
            Path model = gaussianScoreModel(dir.resolve(precision + ".onnx"), precision == Precision.FLOAT32
                    ? OnnxGraphBuilder.ElementType.FLOAT32 : OnnxGraphBuilder.ElementType.FLOAT64);
            OnnxScore score = new OnnxScore(params(model, "x", "t", ScoreOutput.SCORE, precision), spec(d), OU);
            for (double t : new double[] {0.01, 0.3, 2.0}) {
                double[] out = new double[rows * d];
                score.score(x, d, rows, t, out);   // offset one row: the provider must honour it
                double alpha = Math.exp(-t);
                double var = alpha * alpha * S2 + 1 - alpha * alpha;
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < d; j++) {
                        double expected = -(x[(r + 1) * d + j] - alpha * MU[j]) / var;
                        // float32: inputs and ~8 operations rounded to 2^-24 relative each, a few ulps of |s| + 1;
                        // float64: the same in double precision
                        double tol = precision == Precision.FLOAT32 ? 2e-6 * (Math.abs(expected) + 1) : 1e-13 * (Math.abs(expected) + 1);
                        assertEquals(expected, out[r * d + j], tol, precision + " t=" + t + " row " + r);
                    }
                }
            }
        }
    }

    /** y = x from a time-independent model (no t input), read as each kind of output on the path's own variable. */
    @Test
    void epsilonAndDenoisedOutputsAreConvertedWithThePathsScales() throws IOException {
        int d = 2;
        Path model = dir.resolve("identity.onnx");
        new OnnxGraphBuilder("identity", OnnxGraphBuilder.ElementType.FLOAT64).input("x", d).output("y", d)
                .node("Identity", "y", new String[] {"x"}).write(model);
        double[] x = points(5, d, 4);
        double t = 0.4;
        double alpha = OU.meanScale(t);
        double sigma = OU.noiseScale(t);
        for (ScoreOutput output : ScoreOutput.values()) {
            OnnxScore score = new OnnxScore(params(model, "x", null, output, Precision.FLOAT64), spec(d), OU);
            double[] out = new double[x.length];
            score.score(x, 0, 5, t, out);
            for (int i = 0; i < x.length; i++) {
                double expected = switch (output) {
                    case SCORE -> x[i];
                    case EPSILON -> -x[i] / sigma;
                    case DENOISED, SAMPLE -> (alpha * x[i] - x[i]) / (sigma * sigma);
                    // v = alpha eps - sigma x0 on the OU path (alpha^2 + sigma^2 = 1): eps = alpha v + sigma x
                    case V_PREDICTION -> -(alpha * x[i] + sigma * x[i]) / sigma;
                };
                assertEquals(expected, out[i], 1e-14 * (1 + Math.abs(expected)), output.toString());
            }
        }
    }

    /** Two hidden layers of 16 SiLU units ({@link VectorMlpTest#randomMlp}). */
    static MlpWeights randomMlp(int d, long seed) {
        return VectorMlpTest.randomMlp(d, new int[] {16, 16}, MlpWeights.Activation.SILU, seed);
    }

    /** The exported MLP (t as [n, 1]) against the plain-Java forward pass of the same weights, from several threads. */
    @Test
    void anExportedMlpMatchesThePlainJavaForwardPass() throws Exception {
        int d = 3;
        MlpWeights mlp = randomMlp(d, 11);
        Path model = dir.resolve("mlp.onnx");
        mlp.toOnnx("x", "t", "epsilon").write(model);
        OnnxScore score = new OnnxScore(params(model, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(d), OU);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int task = 0; task < 6; task++) {
                int rows = 50 + 37 * task;
                double t = 0.05 + 0.1 * task;
                futures.add(pool.submit(() -> {
                    double[] x = points(rows, d, rows);
                    for (int repeat = 0; repeat < 3; repeat++) {
                        double[] out = new double[rows * d];
                        score.score(x, 0, rows, t, out);
                        double[] eps = new double[rows * d];
                        mlp.forward(x, 0, rows, t, eps);
                        double sigma = OU.noiseScale(t);
                        for (int i = 0; i < eps.length; i++) {
                            double expected = -eps[i] / sigma;
                            // float32 through three layers of <= 18 terms: relative error ~1e-6 of the terms' size
                            assertEquals(expected, out[i], 2e-5 * (1 + Math.abs(expected)), "rows " + rows + " i " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void wrongInputNamesDimensionFilesAndPrecisionsAreClearErrors() throws IOException {
        Path model = gaussianScoreModel(dir.resolve("g.onnx"), OnnxGraphBuilder.ElementType.FLOAT32);
        String m = message(() -> new OnnxScore(params(model, "points", "t", ScoreOutput.SCORE, Precision.FLOAT32), spec(3), OU));
        assertTrue(m.contains("x-input 'points' is not an input of the model") && m.contains("x [n, 3] float32")
                && m.contains("t [n] float32"), m);
        m = message(() -> new OnnxScore(params(model, "x", "time", ScoreOutput.SCORE, Precision.FLOAT32), spec(3), OU));
        assertTrue(m.contains("t-input 'time' is not an input of the model"), m);
        m = message(() -> new OnnxScore(params(model, "x", null, ScoreOutput.SCORE, Precision.FLOAT32), spec(3), OU));
        assertTrue(m.contains("input 't' [n] float32 is fed by neither x-input nor t-input"), m);
        m = message(() -> new OnnxScore(params(model, "x", "t", ScoreOutput.SCORE, Precision.FLOAT32), spec(2), OU));
        assertTrue(m.contains("input 'x' has shape [n, 3], expected [n, 2] for the pipeline's dimension 2")
                && m.contains("output 'score' has shape [n, 3], expected [n, 2]"), m);
        m = message(() -> new OnnxScore(params(model, "x", "t", ScoreOutput.SCORE, Precision.FLOAT64), spec(3), OU));
        assertTrue(m.contains("input 'x' is float32 but precision is float64; set precision: float32"), m);
        m = message(() -> new OnnxScore(params(dir.resolve("missing.onnx"), "x", "t", ScoreOutput.SCORE, Precision.FLOAT32),
                spec(3), OU));
        assertTrue(m.contains("missing.onnx does not exist"), m);
        Path corrupt = dir.resolve("corrupt.onnx");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(corrupt, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        m = message(() -> new OnnxScore(params(corrupt, "x", "t", ScoreOutput.SCORE, Precision.FLOAT32), spec(3), OU));
        assertTrue(m.contains("corrupt.onnx is not a model ONNX Runtime can load"), m);
        m = message(() -> new OnnxScore(params(dir, "x", "t", ScoreOutput.SCORE, Precision.FLOAT32), spec(3), OU));
        assertTrue(m.contains("is a directory, expected an ONNX model file"), m);
    }
}
