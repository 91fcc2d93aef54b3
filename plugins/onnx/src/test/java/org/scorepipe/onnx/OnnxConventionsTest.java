package org.scorepipe.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.PipelineSpec;
import org.scorepipe.core.paths.OrnsteinUhlenbeckPath;
import org.scorepipe.core.paths.VarianceExplodingPath;
import org.scorepipe.core.paths.VpPath;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The calling conventions of k-diffusion and diffusers, each with a model that is the exact
 * predictor for the Gaussian data {@code X_0 ~ N(mu, s2 I)}: on the path
 * {@code X_t = alpha X_0 + sigma Z} the marginal is {@code N(alpha mu, (alpha^2 s2 + sigma^2) I)},
 * so the provider's score must be {@code -(x - alpha mu) / (alpha^2 s2 + sigma^2)}, and on the
 * VE variable {@code z = X_0 + sigma Z} the optimal denoiser is
 * {@code E[X_0 | z] = mu + s2 / (s2 + sigma^2) (z - mu)}.
 */
class OnnxConventionsTest {
    static final double[] MU = {1.5, -0.5, 2.0};
    static final double S2 = 0.7;
    static final int D = MU.length;
    static final NoisingPath OU = new OrnsteinUhlenbeckPath(new OrnsteinUhlenbeckPath.Params());
    static final NoisingPath VE = new VarianceExplodingPath(new VarianceExplodingPath.Params(0.01, 50));
    static final NoisingPath VP = new VpPath(new VpPath.Params(0.1, 20));

    @TempDir
    Path dir;

    static PipelineSpec spec() {
        return new PipelineSpec("test", 1, 10, D);
    }

    static OnnxGraphBuilder.ElementType type(Precision p) {
        return p == Precision.FLOAT32 ? OnnxGraphBuilder.ElementType.FLOAT32 : OnnxGraphBuilder.ElementType.FLOAT64;
    }

    static OnnxScore.Params base(Path model, String t, ScoreOutput output, Precision precision) {
        return new OnnxScore.Params(model.toString(), "x", t, null, output, precision, 1);
    }

    /**
     * Nodes computing {@code DT = mu + s2 / (s2 + sig2) (zT - mu)}, transposed {@code [d, n]}, from the
     * transposed points {@code zT} and the per-row VE noise variance {@code sig2 [n]}.
     */
    static OnnxGraphBuilder gaussianDenoiser(OnnxGraphBuilder g, String zT, String sig2, String out) {
        return g.node("Add", out + "_den", new String[] {"s2", sig2})
                .node("Div", out + "_gain", new String[] {"s2", out + "_den"})
                .node("Sub", out + "_c", new String[] {zT, "mu"})
                .node("Mul", out + "_gc", new String[] {out + "_c", out + "_gain"})
                .node("Add", out, new String[] {out + "_gc", "mu"});
    }

    static OnnxGraphBuilder constants(OnnxGraphBuilder g) {
        return g.constant("mu", MU, D, 1).constant("s2", new double[] {S2}).constant("one", new double[] {1.0});
    }

    /** k-diffusion's {@code model(x, sigma)}: the exact denoiser D(x, sigma) of the VE variable. */
    static Path sigmaDenoiser(Path file, Precision precision) throws IOException {
        OnnxGraphBuilder g = constants(new OnnxGraphBuilder("ve-denoiser", type(precision)).input("x", D).input("sigma")
                .output("denoised", D));
        g.node("Transpose", "xT", new String[] {"x"}, "perm", new long[] {1, 0})
                .node("Mul", "sig2", new String[] {"sigma", "sigma"});
        gaussianDenoiser(g, "xT", "sig2", "DT").node("Transpose", "denoised", new String[] {"DT"}, "perm", new long[] {1, 0})
                .write(file);
        return file;
    }

    /**
     * The bare network F inside Karras et al.'s preconditioning: fed {@code u = c_in z}, it returns
     * {@code F = (D(z) - c_skip z) / c_out} so that {@code c_skip z + c_out F} is the exact denoiser.
     */
    static Path edmNetwork(Path file, double sigmaData) throws IOException {
        OnnxGraphBuilder g = constants(new OnnxGraphBuilder("edm-inner", OnnxGraphBuilder.ElementType.FLOAT64)
                .input("x", D).input("sigma").output("F", D)).constant("sd", new double[] {sigmaData})
                .constant("sd2", new double[] {sigmaData * sigmaData});
        g.node("Transpose", "uT", new String[] {"x"}, "perm", new long[] {1, 0})
                .node("Mul", "sig2", new String[] {"sigma", "sigma"})
                .node("Add", "norm", new String[] {"sig2", "sd2"})
                .node("Sqrt", "root", new String[] {"norm"})
                .node("Mul", "zT", new String[] {"uT", "root"})                 // z = u / c_in
                .node("Div", "cskip", new String[] {"sd2", "norm"})
                .node("Mul", "ssd", new String[] {"sigma", "sd"})
                .node("Div", "cout", new String[] {"ssd", "root"});
        gaussianDenoiser(g, "zT", "sig2", "DT")
                .node("Mul", "skipped", new String[] {"zT", "cskip"})
                .node("Sub", "residual", new String[] {"DT", "skipped"})
                .node("Div", "FT", new String[] {"residual", "cout"})
                .node("Transpose", "F", new String[] {"FT"}, "perm", new long[] {1, 0})
                .write(file);
        return file;
    }

    /**
     * diffusers' {@code unet(x, timestep)} with an int64 timestep and its {@code alphas_cumprod} table:
     * on the VP variable {@code u = a X_0 + s Z}, {@code a = sqrt(abar_k)}, {@code s = sqrt(1 - abar_k)},
     * {@code x0 = E[X_0 | u] = mu + a s2 / (a^2 s2 + s^2) (u - a mu)}, {@code eps = (u - a x0) / s},
     * {@code v = a eps - s x0}; the output named by {@code kind}.
     */
    static Path timestepModel(Path file, double[] alphasCumprod, ScoreOutput kind, Precision precision) throws IOException {
        return timestepModel(file, alphasCumprod, kind, precision, TimestepShape.INT64_ROWS);
    }

    /** How a model declares its timestep: int64 per row {@code [n]}, float per row, one int64 {@code []} or {@code [1]}. */
    enum TimestepShape { INT64_ROWS, FLOAT_ROWS, INT64_SCALAR, INT64_SINGLE }

    static Path timestepModel(Path file, double[] alphasCumprod, ScoreOutput kind, Precision precision, TimestepShape shape)
            throws IOException {
        OnnxGraphBuilder g = new OnnxGraphBuilder("unet", type(precision)).input("x", D);
        String index = "timestep";
        switch (shape) {
            case INT64_ROWS -> g.int64Input("timestep");
            case FLOAT_ROWS -> {
                g.input("timestep").node("Cast", "index", new String[] {"timestep"}, "to", 7);   // 7 = INT64
                index = "index";
            }
            case INT64_SCALAR -> g.fixedInput("timestep", true);
            case INT64_SINGLE -> g.fixedInput("timestep", true, 1);
        }
        constants(g.output("out", D)).constant("table", alphasCumprod, alphasCumprod.length);
        g.node("Transpose", "uT", new String[] {"x"}, "perm", new long[] {1, 0})
                .node("Gather", "abar", new String[] {"table", index}, "axis", 0)
                .node("Sqrt", "a", new String[] {"abar"})
                .node("Sub", "s2noise", new String[] {"one", "abar"})
                .node("Sqrt", "s", new String[] {"s2noise"})
                .node("Mul", "a2s2", new String[] {"abar", "s2"})
                .node("Add", "var", new String[] {"a2s2", "s2noise"})
                .node("Mul", "as2", new String[] {"a", "s2"})
                .node("Div", "gain", new String[] {"as2", "var"})
                .node("Mul", "amu", new String[] {"mu", "a"})
                .node("Sub", "c", new String[] {"uT", "amu"})
                .node("Mul", "gc", new String[] {"c", "gain"})
                .node("Add", "x0", new String[] {"gc", "mu"})
                .node("Mul", "ax0", new String[] {"x0", "a"})
                .node("Sub", "noise", new String[] {"uT", "ax0"})
                .node("Div", "eps", new String[] {"noise", "s"})
                .node("Mul", "aeps", new String[] {"eps", "a"})
                .node("Mul", "sx0", new String[] {"x0", "s"})
                .node("Sub", "v", new String[] {"aeps", "sx0"});
        String last = switch (kind) {
            case EPSILON -> "eps";
            case V_PREDICTION -> "v";
            case SAMPLE, DENOISED -> "x0";
            case SCORE -> throw new IllegalArgumentException("no score model here");
        };
        g.node("Transpose", "out", new String[] {last}, "perm", new long[] {1, 0}).write(file);
        return file;
    }

    static double[] points(int rows, long seed) {
        double[] x = new double[rows * D];
        PhiloxNoise.of(seed, 0, 0).normals(0, 0, x, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            x[i] = 1.0 + 2.0 * x[i];
        }
        return x;
    }

    /**
     * Asserts the provider's score at {@code t} is the noised Gaussian's, with {@code alpha, sigma} given
     * independently of the path where the test knows them. Tolerance: every parametrisation but the
     * score itself recovers the score from a prediction of the size of {@code x} divided by up to
     * {@code sigma^2} (the denoiser: {@code (alpha D - x) / sigma^2}), so rounding the model's inputs and
     * outputs to float32 (2^-24 relative, a few operations) costs about {@code 1e-7 (|x| + 1) / sigma^2}
     * beside the score's own size; float64 the same at 1e-16.
     */
    static void assertGaussianScore(OnnxScore score, double t, double alpha, double sigma, Precision precision, String what) {
        int rows = 33;
        double[] x = points(rows + 1, Double.doubleToLongBits(t));
        double[] out = new double[rows * D];
        score.score(x, D, rows, t, out);   // offset one row
        double var = alpha * alpha * S2 + sigma * sigma;
        double unit = precision == Precision.FLOAT32 ? 1e-6 : 1e-12;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < D; j++) {
                double xi = x[(r + 1) * D + j];
                double expected = -(xi - alpha * MU[j]) / var;
                double tol = unit * (Math.abs(expected) + (Math.abs(xi) + 1) / (sigma * sigma));
                assertEquals(expected, out[r * D + j], tol, what + " t=" + t + " row " + r + " j " + j);
            }
        }
    }

    @Test
    void kDiffusionsDenoiserOfSigmaGivesTheScoreOnVeAndVpPaths() throws IOException {
        for (Precision precision : Precision.values()) {
            Path model = sigmaDenoiser(dir.resolve("ve-" + precision + ".onnx"), precision);
            OnnxScore.Params p = base(model, "sigma", ScoreOutput.DENOISED, precision)
                    .withTime(TimeInput.SIGMA, Preconditioning.NONE, 0.5);
            for (NoisingPath path : new NoisingPath[] {VE, VP, OU}) {
                OnnxScore score = new OnnxScore(p, spec(), path);
                for (double t : new double[] {0.05, 0.3, 0.7, 1.0}) {
                    assertGaussianScore(score, t, path.meanScale(t), path.noiseScale(t), precision,
                            precision + " " + path.getClass().getSimpleName());
                }
            }
        }
    }

    @Test
    void theBareNetworkInsideEdmPreconditioningGivesTheScore() throws IOException {
        for (double sigmaData : new double[] {0.5, 1.0}) {
            Path model = edmNetwork(dir.resolve("edm-" + sigmaData + ".onnx"), sigmaData);
            OnnxScore.Params p = base(model, "sigma", ScoreOutput.DENOISED, Precision.FLOAT64)
                    .withTime(TimeInput.SIGMA, Preconditioning.EDM, sigmaData);
            for (NoisingPath path : new NoisingPath[] {VE, VP}) {
                OnnxScore score = new OnnxScore(p, spec(), path);
                for (double t : new double[] {0.05, 0.5, 1.0}) {
                    assertGaussianScore(score, t, path.meanScale(t), path.noiseScale(t), Precision.FLOAT64,
                            "edm sigma-data " + sigmaData + " " + path.getClass().getSimpleName());
                }
            }
            // the wrong sigma-data is a different model: the score must be off, or the test would not see c_in, c_skip, c_out
            OnnxScore wrong = new OnnxScore(base(model, "sigma", ScoreOutput.DENOISED, Precision.FLOAT64)
                    .withTime(TimeInput.SIGMA, Preconditioning.EDM, 2 * sigmaData), spec(), VE);
            assertThrows(AssertionError.class, () -> assertGaussianScore(wrong, 0.5, 1.0, VE.noiseScale(0.5),
                    Precision.FLOAT64, "wrong sigma-data"));
        }
    }

    /**
     * The same noise levels as a variance-exploding path, {@code alpha = 1}, {@code sigma = sigma_t / alpha_t}
     * (the view of k-diffusion's wrappers of DDPM models): the model must then see {@code x / sqrt(1 + sigma^2)}.
     */
    static NoisingPath veView(NoisingPath vp) {
        return new NoisingPath() {
            @Override
            public double meanScale(double t) {
                return 1.0;
            }

            @Override
            public double noiseScale(double t) {
                return vp.noiseScale(t) / vp.meanScale(t);
            }

            @Override
            public double drift(double t) {
                return 0.0;
            }

            @Override
            public double diffusionSquared(double t) {
                throw new UnsupportedOperationException("a score test needs no SDE");
            }
        };
    }

    /** diffusers' {@code alphas_cumprod}, computed here as diffusers does (a plain running product), apart from the provider. */
    static double[] diffusersAlphasCumprod(BetaSchedule kind, double start, double end, int timesteps) {
        double[] table = new double[timesteps];
        double product = 1.0;
        for (int i = 0; i < timesteps; i++) {
            double beta = switch (kind) {
                case LINEAR -> start + (end - start) * i / (timesteps - 1);
                case SCALED_LINEAR -> Math.pow(Math.sqrt(start) + (Math.sqrt(end) - Math.sqrt(start)) * i / (timesteps - 1), 2);
                case SQUAREDCOS_CAP_V2 -> Math.min(1 - Math.pow(Math.cos(((i + 1.0) / timesteps + 0.008) / 1.008 * Math.PI / 2), 2)
                        / Math.pow(Math.cos(((double) i / timesteps + 0.008) / 1.008 * Math.PI / 2), 2), 0.999);
            };
            product *= 1 - beta;
            table[i] = product;
        }
        return table;
    }

    @Test
    void diffusersTimestepModelsGiveTheScoreOnTheDdpmPathAtTheirTimesteps() throws IOException {
        DiscreteSchedule[] schedules = {
            new DiscreteSchedule(BetaSchedule.LINEAR, 1e-4, 0.02, 1000),
            new DiscreteSchedule(BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, 1000),
            new DiscreteSchedule(BetaSchedule.SQUAREDCOS_CAP_V2, 1e-4, 0.02, 200),
        };
        for (DiscreteSchedule schedule : schedules) {
            int steps = schedule.timesteps();
            double[] table = diffusersAlphasCumprod(schedule.kind(), schedule.betaStart(), schedule.betaEnd(), steps);
            DdpmPath path = new DdpmPath(new DdpmPath.Params(schedule.kind(), schedule.betaStart(), schedule.betaEnd(), steps));
            for (ScoreOutput kind : new ScoreOutput[] {ScoreOutput.EPSILON, ScoreOutput.V_PREDICTION, ScoreOutput.SAMPLE}) {
                for (Precision precision : Precision.values()) {
                    Path model = timestepModel(dir.resolve("unet-" + kind + precision + ".onnx"), table, kind, precision);
                    OnnxScore score = new OnnxScore(base(model, "timestep", kind, precision)
                            .withTimesteps(schedule, TimestepRounding.EXACT), spec(), path);
                    OnnxScore onVe = new OnnxScore(base(model, "timestep", kind, precision)
                            .withTimesteps(schedule, TimestepRounding.EXACT), spec(), veView(path));
                    // the grid times of timesteps 0, 9, T/4 - 1, T/2 and T - 2 (the last of the cosine schedule is clipped)
                    for (int k : new int[] {0, 9, steps / 4 - 1, steps / 2, steps - 2}) {
                        double t = (k + 1.0) / steps;
                        String what = schedule.describe() + " " + kind + " " + precision + " timestep " + k;
                        assertGaussianScore(score, t, Math.sqrt(table[k]), Math.sqrt(1 - table[k]), precision, what);
                        assertGaussianScore(onVe, t, 1.0, Math.sqrt((1 - table[k]) / table[k]), precision, what + " on the VE view");
                    }
                }
            }
        }
    }

    /** A float timestep (cast to int64 in the model) and one timestep for the whole batch, as [] or [1]. */
    @Test
    void timestepsAsFloatsScalarsAndSingletonsAreFedAsDeclared() throws IOException {
        DiscreteSchedule schedule = new DiscreteSchedule(BetaSchedule.LINEAR, 1e-4, 0.02, 1000);
        double[] table = diffusersAlphasCumprod(BetaSchedule.LINEAR, 1e-4, 0.02, 1000);
        DdpmPath path = new DdpmPath(new DdpmPath.Params(BetaSchedule.LINEAR, 1e-4, 0.02, 1000));
        for (TimestepShape shape : TimestepShape.values()) {
            Path model = timestepModel(dir.resolve("unet-" + shape + ".onnx"), table, ScoreOutput.EPSILON, Precision.FLOAT64, shape);
            OnnxScore score = new OnnxScore(base(model, "timestep", ScoreOutput.EPSILON, Precision.FLOAT64)
                    .withTimesteps(schedule, TimestepRounding.EXACT), spec(), path);
            for (int k : new int[] {0, 499, 999}) {
                assertGaussianScore(score, (k + 1.0) / 1000, Math.sqrt(table[k]), Math.sqrt(1 - table[k]), Precision.FLOAT64,
                        shape + " timestep " + k);
            }
        }
    }

    @Test
    void aNoiseLevelThatIsNoTimestepsIsRefusedUnlessNearestIsAskedFor() throws IOException {
        DiscreteSchedule schedule = new DiscreteSchedule(BetaSchedule.LINEAR, 1e-4, 0.02, 1000);
        double[] table = diffusersAlphasCumprod(BetaSchedule.LINEAR, 1e-4, 0.02, 1000);
        Path model = timestepModel(dir.resolve("unet.onnx"), table, ScoreOutput.EPSILON, Precision.FLOAT64);
        OnnxScore exact = new OnnxScore(base(model, "timestep", ScoreOutput.EPSILON, Precision.FLOAT64)
                .withTimesteps(schedule, TimestepRounding.EXACT), spec(), OU);
        double t = 0.37;
        double[] x = points(4, 1);
        double[] out = new double[x.length];
        // the nearest timestep by log-SNR, by brute force: OU's abar = exp(-2t)
        double target = Math.log(Math.exp(-2 * t) / -Math.expm1(-2 * t));
        int nearest = 0;
        for (int k = 1; k < table.length; k++) {
            if (Math.abs(Math.log(table[k] / (1 - table[k])) - target) < Math.abs(Math.log(table[nearest] / (1 - table[nearest])) - target)) {
                nearest = k;
            }
        }
        String m = assertThrows(IllegalArgumentException.class, () -> exact.score(x, 0, 4, t, out)).getMessage();
        assertTrue(m.contains("time: timestep: at t = 0.37") && m.contains("nearest is timestep " + nearest + " ")
                && m.contains("path: {type: ddpm}") && m.contains("timestep-rounding: nearest"), m);
        // nearest: the model at that timestep, read at the path's own noise level. Neighbouring timesteps of this
        // schedule are < 0.02 apart in log-SNR here, so the model's abar is within 1% of the path's and the score
        // is off by less than 1% of its size (|d log abar| = |d logsnr| (1 - abar) <= 0.01).
        OnnxScore near = new OnnxScore(base(model, "timestep", ScoreOutput.EPSILON, Precision.FLOAT64)
                .withTimesteps(schedule, TimestepRounding.NEAREST), spec(), OU);
        double alpha = OU.meanScale(t);
        double sigma = OU.noiseScale(t);
        near.score(x, 0, 4, t, out);
        for (int i = 0; i < x.length; i++) {
            double expected = -(x[i] - alpha * MU[i % D]) / (alpha * alpha * S2 + sigma * sigma);
            assertEquals(expected, out[i], 1e-2 * (Math.abs(expected) + Math.abs(x[i]) + 1), "nearest, i " + i);
        }
    }

    @Test
    void theDdpmPathIsTheScheduleAtItsTimestepsAndAVpSdeBetween() {
        for (BetaSchedule kind : BetaSchedule.values()) {
            int steps = 500;
            double[] table = diffusersAlphasCumprod(kind, 0.00085, 0.012, steps);
            DdpmPath path = new DdpmPath(new DdpmPath.Params(kind, 0.00085, 0.012, steps));
            assertEquals(1.0, path.meanScale(0.0), 0.0);
            assertEquals(0.0, path.noiseScale(0.0), 0.0);
            for (int k = 0; k < steps; k++) {
                double t = (k + 1.0) / steps;
                // a product of 500 factors against exp of a sum of 500 log1p's (B up to ~80, ulp 1.4e-14): 1e-11 relative at most
                assertEquals(table[k], path.meanScale(t) * path.meanScale(t), 1e-11 * table[k], kind + " k " + k);
                assertEquals(1 - table[k], path.noiseScale(t) * path.noiseScale(t), 1e-13, kind + " k " + k);
            }
            // inside a step: f = d log alpha / dt and g^2 = d sigma^2/dt - 2 f sigma^2 (central differences, h = 1e-6 / T)
            double t = (100.5) / steps;
            double h = 1e-6 / steps;
            double f = (Math.log(path.meanScale(t + h)) - Math.log(path.meanScale(t - h))) / (2 * h);
            // log alpha and sigma^2 are smooth in a step: the differences err by rounding, ~1e-16 / 1e-9, relative to f ~ 1
            assertEquals(f, path.drift(t), 1e-5 * Math.abs(f), kind + " drift");
            double ds2 = (Math.pow(path.noiseScale(t + h), 2) - Math.pow(path.noiseScale(t - h), 2)) / (2 * h);
            double g2 = ds2 - 2 * f * Math.pow(path.noiseScale(t), 2);
            assertEquals(g2, path.diffusionSquared(t), 1e-5 * g2, kind + " diffusion");
        }
    }

    @Test
    void theSchedulesAreDiffusersOwn() {
        // DDPM's linear schedule ends at abar = 4.0358e-5 (Ho et al. 2020, T = 1000); Stable Diffusion's
        // scaled-linear 0.00085..0.012 at sigma_max = sqrt((1 - abar) / abar) = 14.6146, k-diffusion's sigma_max for it
        double[] linear = new DiscreteSchedule(BetaSchedule.LINEAR, 1e-4, 0.02, 1000).alphasCumprod();
        assertEquals(4.0358e-5, linear[999], 1e-9);
        double[] sd = new DiscreteSchedule(BetaSchedule.SCALED_LINEAR, 0.00085, 0.012, 1000).alphasCumprod();
        assertEquals(14.6146, Math.sqrt((1 - sd[999]) / sd[999]), 1e-4);
        // the cosine schedule telescopes: abar_k = f((k + 1) / T) / f(0) until the clipping at 0.999 of the last beta
        double[] cosine = new DiscreteSchedule(BetaSchedule.SQUAREDCOS_CAP_V2, 0, 0, 1000).alphasCumprod();
        for (int k = 0; k < 999; k++) {
            double f = BetaSchedule.cosineAlphaBar((k + 1.0) / 1000) / BetaSchedule.cosineAlphaBar(0);
            assertEquals(f, cosine[k], 1e-12 * f, "k " + k);
        }
    }

    static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void combinationsWithoutAMeaningAreRefusedNamingTheKey() throws IOException {
        Path ve = sigmaDenoiser(dir.resolve("ve.onnx"), Precision.FLOAT32);
        String m = message(() -> new OnnxScore(base(ve, "sigma", ScoreOutput.DENOISED, Precision.FLOAT32)
                .withTime(TimeInput.T, Preconditioning.EDM, 0.5), spec(), VE));
        assertTrue(m.contains("preconditioning: edm") && m.contains("needs time: sigma, not time: t"), m);
        m = message(() -> new OnnxScore(base(ve, "sigma", ScoreOutput.EPSILON, Precision.FLOAT32)
                .withTime(TimeInput.SIGMA, Preconditioning.EDM, 0.5), spec(), VE));
        assertTrue(m.contains("needs output: denoised, not output: epsilon"), m);
        m = message(() -> new OnnxScore(base(ve, "sigma", ScoreOutput.DENOISED, Precision.FLOAT32)
                .withTime(TimeInput.SIGMA, Preconditioning.EDM, 0.0), spec(), VE));
        assertTrue(m.contains("sigma-data must be a finite number > 0"), m);

        double[] table = diffusersAlphasCumprod(BetaSchedule.LINEAR, 1e-4, 0.02, 1000);
        Path unet = timestepModel(dir.resolve("unet.onnx"), table, ScoreOutput.EPSILON, Precision.FLOAT32);
        m = message(() -> new OnnxScore(base(unet, "timestep", ScoreOutput.EPSILON, Precision.FLOAT32), spec(), VP));
        assertTrue(m.contains("input 'timestep' is int64, an integer timestep, but time is t; set time: timestep"), m);
        m = message(() -> new OnnxScore(base(unet, null, ScoreOutput.EPSILON, Precision.FLOAT32)
                .withTimesteps(new DiscreteSchedule(BetaSchedule.LINEAR, 1e-4, 0.02, 1000), TimestepRounding.EXACT), spec(), VP));
        assertTrue(m.contains("time: timestep needs the model's timestep input; t-input is empty"), m);
        m = message(() -> new OnnxScore(base(ve, "sigma", ScoreOutput.V_PREDICTION, Precision.FLOAT32)
                .withTime(TimeInput.SIGMA, Preconditioning.NONE, 0.5), spec(), VE));
        assertTrue(m.contains("output: v-prediction is defined on a variance-preserving variable") && m.contains("set output: denoised"), m);
        m = message(() -> new OnnxScore.Params(ve.toString(), "x", "sigma", null, ScoreOutput.DENOISED, Precision.FLOAT32, 1,
                TimeInput.SIGMA, Preconditioning.NONE, 0.5, BetaSchedule.SCALED_LINEAR, 1e-4, 0.012, 1000, TimestepRounding.NEAREST));
        assertTrue(m.startsWith("beta-schedule, beta-end, timestep-rounding apply to time: timestep only, but time is sigma"), m);
        m = message(() -> new OnnxScore.Params(ve.toString(), "x", "sigma", null, ScoreOutput.DENOISED, Precision.FLOAT32, 1,
                TimeInput.SIGMA, Preconditioning.NONE, 1.0, BetaSchedule.LINEAR, 1e-4, 0.02, 1000, TimestepRounding.EXACT));
        assertTrue(m.startsWith("sigma-data applies to preconditioning: edm only"), m);
        m = message(() -> new DiscreteSchedule(BetaSchedule.LINEAR, 0.0, 0.02, 1000));
        assertTrue(m.contains("beta-start and beta-end must lie in (0, 1)"), m);
        // a float timestep model with time: t is a float time input and loads; an int64 one under time: sigma does not
        m = message(() -> new OnnxScore(base(unet, "timestep", ScoreOutput.EPSILON, Precision.FLOAT32)
                .withTime(TimeInput.SIGMA, Preconditioning.NONE, 0.5), spec(), VP));
        assertTrue(m.contains("is int64, an integer timestep, but time is sigma"), m);
    }
}
