package org.scorepipe.core.predictors;

import jakarta.inject.Inject;
import org.scorepipe.api.Block;
import org.scorepipe.api.Component;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.api.Default;
import org.scorepipe.api.Doc;
import org.scorepipe.api.Noise;
import org.scorepipe.api.NoisingPath;
import org.scorepipe.api.Predictor;
import org.scorepipe.api.RowMemory;
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
 * at (a row uses its history only if that is the step's start), {@code 3 d + 3} doubles,
 * {@code [m_q (d), m_p (d), x_q (d), q, p, until]}. The component is a {@link RowMemory}: the rows
 * live with the particles, not here ({@link DenoisedHistory} says where and why), so it stays an
 * immutable value, runs on every runner, and a resumed run continues bit for bit. Draws no noise.
 */
@Component(kind = ComponentKind.PREDICTOR, name = "unipc",
        doc = "UniPC (Zhao et al. 2023): the UniP-2 predictor with the UniC corrector, data prediction, one score evaluation"
                + " per step.")
public final class UniPcPredictor implements Predictor, RowMemory {

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

    /** Where the parts of a row are, after its three vectors of {@code d}: {@code q}, {@code p} and {@code until}. */
    private static final int NEWEST_TIME = 0;
    private static final int OLDER_TIME = 1;
    private static final int UNTIL = 2;

    private final boolean bh1;
    private final boolean correct;
    private final NoisingPath path;
    private final ScoreProvider score;

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
        double[] state = block.rowState(this);
        int d = block.dimension();
        int width = rowWidth(d);
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
            // The row's m_q at so, m_p at so + d, x_q at so + 2d, then its times.
            int so = row * width;
            int times = so + 3 * d;
            double newestTime = state[times + NEWEST_TIME];
            boolean continues = state[times + UNTIL] == t && !Double.isNaN(newestTime);
            if (continues && correct) {
                long q = Double.doubleToRawLongBits(newestTime);
                long older = Double.doubleToRawLongBits(state[times + OLDER_TIME]);
                if (uniC == null || q != cachedQ || older != cachedOlder) {
                    uniC = uniC(newestTime, state[times + OLDER_TIME], sigma, lambda);
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
            for (int i = 0; i < d; i++) {
                double mt = m[mo + i];
                double difference = weight == 0.0 ? 0.0 : weight * (state[so + i] - mt);
                state[so + 2 * d + i] = x[o + i];
                x[o + i] = keep * x[o + i] - alphaNext * phi * mt - alphaNext * difference;
            }
            // Shift the history: m_t becomes the newest estimate.
            if (continues) {
                System.arraycopy(state, so, state, so + d, d);
                state[times + OLDER_TIME] = newestTime;
            } else {
                state[times + OLDER_TIME] = Double.NaN;
            }
            System.arraycopy(m, mo, state, so, d);
            state[times + NEWEST_TIME] = t;
            state[times + UNTIL] = tNext;
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
        void correct(double[] state, int so, double[] x, int o, double[] m, int mo, double alpha, int d) {
            for (int i = 0; i < d; i++) {
                double mq = state[so + i];
                double correction = onNew * (m[mo + i] - mq) + (onOlder == 0.0 ? 0.0 : onOlder * (state[so + d + i] - mq));
                x[o + i] = keepQ * state[so + 2 * d + i] - alpha * phiQ * mq - alpha * bq * correction;
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

    /** Three vectors and three times per particle, as the class comment lays them out. */
    @Override
    public int rowWidth(int dimension) {
        return 3 * dimension + 3;
    }
}
