package org.scorepipe.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.DataSource;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.api.Simd;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.sources.GaussianMixtureSource;
import org.scorepipe.onnx.Engine;
import org.scorepipe.onnx.OnnxScore;
import org.scorepipe.onnx.Precision;
import org.scorepipe.onnx.ScoreOutput;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * A small network trained for a few steps, saved for DJL and exported to ONNX: both providers and
 * the plain-Java forward pass of the same weights must agree, and a model that does not fit must
 * say why.
 */
class LearnedScoresTest {
    static final int D = 2;
    static final NoisingPath OU = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());

    @TempDir
    static Path dir;
    static DenoisingScoreMatching.Result trained;

    static DataSource mixture() {
        return new GaussianMixtureSource(new GaussianMixtureSource.Params(List.of(
                new GaussianMixtureSource.Part(0.5, new double[] {-3, 0}, new double[] {0.5}),
                new GaussianMixtureSource.Part(0.5, new double[] {3, 1}, new double[] {1.0, 0.3}))),
                new PipelineSpec("mix", 1, 10, D));
    }

    @BeforeAll
    static void train() {
        DenoisingScoreMatching.Settings settings = new DenoisingScoreMatching.Settings(new int[] {32, 32},
                org.scorepipe.onnx.MlpWeights.Activation.SILU, ScoreOutput.EPSILON, 100, 256, 2e-3, 1e-3, 1.0, 1);
        PhiloxNoise noise = new PhiloxNoise(5);
        trained = new DenoisingScoreMatching(settings, mixture(), OU, "ornstein-uhlenbeck").train(k -> {
            noise.position(0, k);
            return noise;
        }, 5, dir, true, (step, steps, loss) -> { });
    }

    static PipelineSpec spec(int d) {
        return new PipelineSpec("test", 1, 10, d);
    }

    static DjlScore.Params djl(Path model, String x, String t, ScoreOutput output, Precision precision) {
        return new DjlScore.Params(model.toString(), x, t, null, output, precision, 1);
    }

    @Test
    void djlAndOnnxAndThePlainForwardPassGiveTheSameScores() {
        int rows = 300;
        double[] x = new double[(rows + 3) * D];
        PhiloxNoise.of(9, 0, 0).normals(0, 0, x, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 3;
        }
        DjlScore djl32 = new DjlScore(djl(trained.model(), "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU);
        DjlScore djl64 = new DjlScore(djl(trained.model(), "x", "t", ScoreOutput.EPSILON, Precision.FLOAT64), spec(D), OU);
        OnnxScore onnx = new OnnxScore(new OnnxScore.Params(trained.onnx().orElseThrow().toString(), "x", "t", null,
                ScoreOutput.EPSILON, Precision.FLOAT32, 1), spec(D), OU);
        // the trainer's export is the MLP the java engine runs: auto picks it whenever the Vector API is present
        assertEquals(Simd.ENABLED ? Engine.JAVA : Engine.ONNXRUNTIME, onnx.engine());
        OnnxScore onnxRuntime = new OnnxScore(new OnnxScore.Params(trained.onnx().orElseThrow().toString(), "x", "t", null,
                ScoreOutput.EPSILON, Precision.FLOAT32, 1).withEngine(Engine.ONNXRUNTIME), spec(D), OU);
        for (double t : new double[] {0.002, 0.1, 0.9}) {
            double[] eps = new double[rows * D];
            trained.weights().forward(x, 3 * D, rows, t, eps);
            double sigma = OU.noiseScale(t);
            double[] a = new double[rows * D];
            double[] b = new double[rows * D];
            double[] c = new double[rows * D];
            djl32.score(x, 3 * D, rows, t, a);
            djl64.score(x, 3 * D, rows, t, b);
            onnx.score(x, 3 * D, rows, t, c);
            double[] e = new double[rows * D];
            onnxRuntime.score(x, 3 * D, rows, t, e);
            for (int i = 0; i < eps.length; i++) {
                double expected = -eps[i] / sigma;
                // float32: each output is a sum of ~35 rounded products per layer over 3 layers, ~1e-6 relative to
                // the sizes of the terms (|y| <= ~3), then divided by sigma; float64 only rounds the float32 weights'
                // exact products, so it matches the double-precision reference far tighter
                double tol32 = 3e-5 * (1 + Math.abs(expected));
                assertEquals(expected, a[i], tol32, "djl float32, t=" + t + ", i=" + i);
                assertEquals(expected, c[i], tol32, "onnx float32, t=" + t + ", i=" + i);
                assertEquals(a[i], c[i], tol32, "djl vs onnx, t=" + t + ", i=" + i);
                assertEquals(expected, e[i], tol32, "onnx, engine onnxruntime, t=" + t + ", i=" + i);
                assertEquals(expected, b[i], 1e-10 * (1 + Math.abs(expected)), "djl float64, t=" + t + ", i=" + i);
            }
        }
    }

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void aModelThatDoesNotFitIsAClearError() throws IOException {
        Path model = trained.model();
        String m = message(() -> new DjlScore(djl(model, "points", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("x-input 'points' is not an input of the model; its inputs: x [n, 2], t [n, 1]"), m);
        m = message(() -> new DjlScore(djl(model, "x", "time", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("t-input 'time' is not an input of the model"), m);
        m = message(() -> new DjlScore(djl(model, "x", null, ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("t-input is empty, but the model is time-conditional"), m);
        m = message(() -> new DjlScore(djl(model, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(3), OU));
        assertTrue(m.contains("the model is for dimension 2") && m.contains("but the pipeline's dimension is 3"), m);
        m = message(() -> new DjlScore(djl(model, "x", "t", ScoreOutput.SCORE, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("the model predicts epsilon but output is score; set output: epsilon"), m);
        m = message(() -> new DjlScore(djl(dir.resolve("nowhere"), "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("nowhere does not exist"), m);

        Path badJson = Files.createDirectories(dir.resolve("bad-json"));
        Files.writeString(badJson.resolve(ScoreNetwork.DESCRIPTION), "{\"format\": \"scorepipe-score-mlp/1\", \"dimension\": [");
        m = message(() -> new DjlScore(djl(badJson, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("score-mlp.json is corrupt"), m);

        Path badParams = Files.createDirectories(dir.resolve("bad-params"));
        Files.copy(model.resolve(ScoreNetwork.DESCRIPTION), badParams.resolve(ScoreNetwork.DESCRIPTION));
        byte[] params = Files.readAllBytes(model.resolve("score-mlp-0000.params"));
        Files.write(badParams.resolve("score-mlp-0000.params"), java.util.Arrays.copyOf(params, params.length / 3));
        m = message(() -> new DjlScore(djl(badParams, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("are missing or corrupt"), m);

        Path noParams = Files.createDirectories(dir.resolve("no-params"));
        Files.copy(model.resolve(ScoreNetwork.DESCRIPTION), noParams.resolve(ScoreNetwork.DESCRIPTION));
        m = message(() -> new DjlScore(djl(noParams, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("are missing or corrupt"), m);

        m = message(() -> new DjlScore(djl(dir, "x", "t", ScoreOutput.EPSILON, Precision.FLOAT32), spec(D), OU));
        assertTrue(m.contains("is not a scorepipe model folder: it has no score-mlp.json"), m);
    }
}
