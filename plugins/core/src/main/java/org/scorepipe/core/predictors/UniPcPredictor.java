package org.scorepipe.core.predictors;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.scorepipe.api.Block;
import org.scorepipe.api.Checkpointable;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.ScoreProvider;

/**
 * UniPC (Zhao, Bai, Rao, Zhou, Lu, "UniPC: a unified predictor-corrector framework for fast
 * sampling of diffusion models", NeurIPS 2023) with data prediction, as diffusers'
 * {@code UniPCMultistepScheduler} runs it by default: the predictor UniP-2 and the corrector UniC,
 * one score evaluation per step. With {@code lambda = log(alpha / sigma)}, {@code m} the denoised
 * estimate {@code x0(x, t) = (x + sigma^2 s(x, t)) / alpha}, and for a step from {@code s} to
 * {@code t}, {@code h = lambda_t - lambda_s}, {@code phi = e^{-h} - 1} and {@code B(h) = -h}
 * ({@code b: bh1}) or {@code e^{-h} - 1} ({@code b: bh2}, the default):
 * <pre>
 *   UniP-2:  x_t  =  (sigma_t / sigma_s) x_s - alpha_t phi m_s - alpha_t B(h) (1/2) (m_r - m_s) / r,
 *            r = (lambda_r - lambda_s) / h  for the estimate m_r of the step before (first order without one);
 *   UniC:    x_s  &lt;-  (sigma_s / sigma_q) x_q - alpha_s phi_q m_q - alpha_s B(h_q) (rho_1 (m_p - m_q) / r_p + rho_2 (m_s - m_q)),
 * </pre>
 * where the corrector runs at the start of each step once {@code m_s = x0(x~_s, s)} of the
 * predicted point is known: it recomputes the step {@code q -> s} that produced {@code x~_s} from
 * the corrected {@code x_q}, with {@code m_s} as a new node, so it costs no evaluation; the
 * predictor then starts from the corrected {@code x_s} with {@code m_s}. The weights
 * {@code (rho_1, rho_2)} solve {@code [[1, 1], [r_p, 1]] rho = [g_1, 2 g_2] / B(h_q)} with
 * {@code g_1 = phi_q / (-h_q) - 1}, {@code g_2 = g_1 / (-h_q) - 1/2} (the paper's eq. 8 and
 * diffusers' {@code multistep_uni_c_bh_update}); with a single earlier estimate the corrector
 * is of order one, {@code rho = 1/2} on {@code m_s - m_q}. UniP-2 with {@code bh2} is
 * DPM-Solver++(2M); UniC raises the order by one (measured: order 3 on a Gaussian target).
 * A step to {@code sigma = 0} is first order, and the last sample is not corrected, as in diffusers.
 *
 * <p><b>State.</b> As {@link DpmSolverPredictor}'s 2M, the estimates live per particle row: the
 * last two estimates with their times, the last corrected point, and the time the last step ended
 * at (a row uses its history only if that is the step's start). It is {@link Checkpointable},
 * so a resumed run continues bit for bit, and runs on the local runner. Draws no noise.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "unipc",
        doc = "UniPC (Zhao et al. 2023): the UniP-2 predictor with the UniC corrector, data prediction, one score evaluation"
                + " per step.")
public final class UniPcPredictor implements Predictor, Checkpointable {
    private static final int FORMAT = 1;

    /** The {@code B(h)} of the update: {@code bh1} ({@code -h}) or {@code bh2} ({@code e^{-h} - 1}). */
    public enum B {
        BH1, BH2
    }

    /** Parameters, bound from the component's config section. */
    public record Params(
            @Doc("bh1 (B(h) = -h) or bh2 (B(h) = e^-h - 1, diffusers' default)") @Default("bh2") B b,
            @Doc("apply the UniC corrector (true: UniPC; false: UniP-2 alone)") @Default("true") boolean corrector) {
        public Params {
            if (b == null) {
                throw new IllegalArgumentException("b is missing; give bh1 or bh2");
            }
        }
    }

    /**
     * Per row: the estimates {@code m_q} (newest) and {@code m_p}, their times {@code q} and
     * {@code p}, the corrected point {@code x_q}, and {@code until}, the time the row's last step
     * ended at. NaN times: none yet.
     */
    private record Rows(int n, int d, double[] newest, double[] older, double[] point, double[] newestTime,
            double[] olderTime, double[] until) implements RowState.Shape {
        static Rows empty(int n, int d) {
            Rows r = new Rows(n, d, new double[n * d], new double[n * d], new double[n * d], new double[n], new double[n],
                    new double[n]);
            Arrays.fill(r.newestTime, Double.NaN);
            Arrays.fill(r.olderTime, Double.NaN);
            Arrays.fill(r.until, Double.NaN);
            return r;
        }

        double[][] doubles() {
            return new double[][] {newest, older, point, newestTime, olderTime, until};
        }
    }

    private final boolean bh1;
    private final boolean correct;
    private final NoisingPath path;
    private final ScoreProvider score;
    private final RowState<Rows> rows = new RowState<>(Rows::empty);

    @Inject
    public UniPcPredictor(Params params, NoisingPath path, ScoreProvider score) {
        ReverseStep.requireGaussian(path, "unipc");
        this.bh1 = params.b() == B.BH1;
        this.correct = params.corrector();
        this.path = path;
        this.score = score;
    }

    private double b(double hh) {
        return bh1 ? hh : Math.expm1(hh);
    }

    @Override
    public void step(Block block, double t, double tNext, Noise noise) {
        ReverseStep.requireBackwards(t, tNext);
        Rows state = rows.of(block);
        int d = block.dimension();
        int n = block.size();
        double[] x = block.data();
        int offset = block.offset();
        double alpha = path.meanScale(t);
        double sigma = path.noiseScale(t);
        double lambda = ReverseStep.logSnr(path, t);
        double[] m = block.workspace(this, n * d);
        score.score(x, offset, n, t, m);
        ReverseStep.denoise(x, offset, n * d, m, alpha, sigma);
        // The predictor's coefficients for this step.
        double h = ReverseStep.logSnr(path, tNext) - lambda;
        double keep = path.noiseScale(tNext) / sigma;
        double alphaNext = path.meanScale(tNext);
        double phi = Math.expm1(-h);
        double bh = Double.isFinite(h) ? b(-h) : 0.0;
        // Rows of one run share their times: each set of coefficients is computed once per block and step.
        long cachedNewest = Long.MIN_VALUE;
        double w = 0.0;
        long cachedQ = Long.MIN_VALUE;
        long cachedOlder = Long.MIN_VALUE;
        UniC uniC = null;
        for (int r = 0; r < n; r++) {
            int row = block.from() + r;
            int o = offset + r * d;
            int mo = r * d;
            int so = row * d;
            double newestTime = state.newestTime[row];
            boolean continues = state.until[row] == t && !Double.isNaN(newestTime);
            if (continues && correct) {
                long q = Double.doubleToRawLongBits(newestTime);
                long older = Double.doubleToRawLongBits(state.olderTime[row]);
                if (uniC == null || q != cachedQ || older != cachedOlder) {
                    uniC = uniC(newestTime, state.olderTime[row], sigma, lambda);
                    cachedQ = q;
                    cachedOlder = older;
                }
                uniC.correct(state, so, x, o, m, mo, alpha, d);
            }
            // The predictor, from the (corrected) x_t; second order if the row has an estimate before this one.
            double weight = 0.0;
            if (continues && Double.isFinite(h)) {
                long newest = Double.doubleToRawLongBits(newestTime);
                if (newest != cachedNewest) {
                    double ratio = (ReverseStep.logSnr(path, newestTime) - lambda) / h;
                    w = 0.5 * bh / ratio;
                    cachedNewest = newest;
                }
                weight = w;
            }
            double[] last = state.newest;
            for (int i = 0; i < d; i++) {
                double mt = m[mo + i];
                double difference = weight == 0.0 ? 0.0 : weight * (last[so + i] - mt);
                state.point[so + i] = x[o + i];
                x[o + i] = keep * x[o + i] - alphaNext * phi * mt - alphaNext * difference;
            }
            // Shift the history: m_t becomes the newest estimate.
            if (continues) {
                System.arraycopy(state.newest, so, state.older, so, d);
                state.olderTime[row] = newestTime;
            } else {
                state.olderTime[row] = Double.NaN;
            }
            System.arraycopy(m, mo, state.newest, so, d);
            state.newestTime[row] = t;
            state.until[row] = tNext;
        }
    }

    /**
     * UniC's coefficients for rows whose newest estimate is at {@code q} and the one before at
     * {@code older} (NaN: none, a first-order corrector), correcting at the step's start {@code t}.
     */
    private record UniC(double keepQ, double phiQ, double bq, double onNew, double onOlder) {
        /**
         * Recomputes the step {@code q -> t} of the row at {@code so} from its corrected point
         * {@code x_q}, with {@code m_t} as a node, writing the corrected {@code x_t} into {@code x}.
         */
        void correct(Rows state, int so, double[] x, int o, double[] m, int mo, double alpha, int d) {
            for (int i = 0; i < d; i++) {
                double mq = state.newest[so + i];
                double correction = onNew * (m[mo + i] - mq) + (onOlder == 0.0 ? 0.0 : onOlder * (state.older[so + i] - mq));
                x[o + i] = keepQ * state.point[so + i] - alpha * phiQ * mq - alpha * bq * correction;
            }
        }
    }

    private UniC uniC(double q, double older, double sigma, double lambda) {
        double lambdaQ = ReverseStep.logSnr(path, q);
        double hq = lambda - lambdaQ;
        double hh = -hq;
        double phiQ = Math.expm1(hh);
        double bq = b(hh);
        double keepQ = sigma / path.noiseScale(q);
        double g1 = phiQ / hh - 1.0;
        if (Double.isNaN(older)) {
            return new UniC(keepQ, phiQ, bq, 0.5, 0.0);
        }
        double rp = (ReverseStep.logSnr(path, older) - lambdaQ) / hq;
        double g2 = g1 / hh - 0.5;
        double b1 = g1 / bq;
        double b2 = 2.0 * g2 / bq;
        // [[1, 1], [rp, 1]] (rho1, rho2) = (b1, b2)
        double rho1 = (b1 - b2) / (1.0 - rp);
        return new UniC(keepQ, phiQ, bq, b1 - rho1, rho1 / rp);
    }

    /** {@code FORMAT, n, d}, then every row's estimates, point and times. */
    @Override
    public byte[] saveState() {
        Rows r = rows.get();
        if (r == null) {
            return ByteBuffer.allocate(12).putInt(FORMAT).putInt(0).putInt(0).array();
        }
        long bytes = 12L + 8L * (3L * r.n() * r.d() + 3L * r.n());
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("unipc's state of " + r.n() + " particles in " + r.d() + " dimensions does not fit"
                    + " one checkpoint entry; use fewer particles per run or a single-step solver");
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) bytes).putInt(FORMAT).putInt(r.n()).putInt(r.d());
        var doubles = buffer.asDoubleBuffer();
        for (double[] a : r.doubles()) {
            doubles.put(a);
        }
        return buffer.array();
    }

    @Override
    public void restoreState(byte[] state) {
        ByteBuffer buffer = ByteBuffer.wrap(state);
        if (state.length < 12 || buffer.getInt() != FORMAT) {
            throw new IllegalArgumentException("not a unipc state of format " + FORMAT);
        }
        int n = buffer.getInt();
        int d = buffer.getInt();
        if (n == 0 && d == 0 && state.length == 12) {
            rows.set(null);
            return;
        }
        if (n < 0 || d <= 0 || state.length != 12L + 8L * (3L * n * d + 3L * n)) {
            throw new IllegalArgumentException("a unipc state of " + state.length + " bytes cannot hold " + n + " particles in "
                    + d + " dimensions");
        }
        Rows r = Rows.empty(n, d);
        var doubles = buffer.asDoubleBuffer();
        for (double[] a : r.doubles()) {
            doubles.get(a);
        }
        rows.set(r);
    }
}
