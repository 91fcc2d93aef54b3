package org.scorepipe.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.scorepipe.api.Block;
import org.scorepipe.api.Corrector;
import org.scorepipe.api.Noise;
import org.scorepipe.api.Particles;
import org.scorepipe.api.RowMemory;
import org.scorepipe.api.Predictor;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * The family tests every predictor and corrector passes, as JUnit dynamic tests: a plugin author
 * runs them on a component with one line,
 * <pre>
 *   &#64;TestFactory Stream&lt;DynamicTest&gt; contract() {
 *       return Contracts.corrector("kinetic", g -&gt; new MyCorrector(new MyCorrector.Params(0.05), g.score()));
 *   }
 * </pre>
 * The factory gets the {@link GaussianTarget} (its path, score and grid) and is called afresh for
 * every run, as a pipeline builds a component. The noise is the run's own {@link PhiloxNoise}.
 *
 * <p>Corrector contract:
 * <ul>
 *   <li><b>invariance</b>: {@value #N} particles drawn exactly from {@code p_t = N(m_t, s_t^2 I)}
 *       stay there after {@value #CALLS} calls at fixed {@code t = 0.5} (the grid's last time). A corrector is an MCMC move meant
 *       to keep {@code p_t} (approximately) invariant, so this holds for any reasonable one; the
 *       check is on the mean and variance of every coordinate, within 5 standard errors of the
 *       sample statistics plus the bias {@code tolerance} the component may declare (default
 *       {@value #DEFAULT_TOLERANCE}, relative to {@code s_t^2}: an unadjusted Langevin step {@code h}
 *       has stationary variance {@code s^2 / (1 - h / (2 s^2))}, 1% off at {@code h = 0.02 s^2}).</li>
 *   <li><b>rows</b>: a particle depends only on its own row and its noise: one block of all rows,
 *       two blocks of another split, and a {@code Particles} that holds only the tail rows under
 *       their global indices give the same bits.</li>
 *   <li><b>replay</b>: if the component is a {@link RowMemory}: run, save the particles and their
 *       rows (what a checkpoint keeps), run, then put the saved ones in fresh particles and run
 *       again: the same bits and the same rows (Commons RNG's {@code testStateSettable}). The
 *       component itself holds nothing to save.</li>
 * </ul>
 * The predictor contract has the same rows and replay tests, and <b>marginal</b>: from an exact
 * draw of {@code p_1}, {@value #STEPS} steps down to {@code t = 0.2} reach the exact mean and
 * variance of {@code p_0.2} within the same tolerance. A predictor that is deterministic (the same
 * result under two seeds) must also follow the exact probability-flow map of one particle, with
 * an error that shrinks when the number of steps doubles.
 */
public final class Contracts {
    /** Particles in the moment checks: standard errors about {@code s / 90} for the mean. */
    static final int N = 4000;
    static final int CALLS = 5;
    static final int STEPS = 20;
    /** The default bias tolerance, relative to the target's variance. */
    public static final double DEFAULT_TOLERANCE = 0.05;
    private static final long SEED = 20261202L;

    private Contracts() {
    }

    /** The corrector contract with the default tolerance. */
    public static Stream<DynamicTest> corrector(String name, Function<GaussianTarget, Corrector> factory) {
        return corrector(name, factory, DEFAULT_TOLERANCE);
    }

    /** The corrector contract; {@code tolerance} is the component's declared bias, relative to {@code s_t^2}. */
    public static Stream<DynamicTest> corrector(String name, Function<GaussianTarget, Corrector> factory, double tolerance) {
        GaussianTarget g = GaussianTarget.standard();
        double t = GaussianTarget.CORRECTOR_TIME;
        Run run = (p, seed) -> {
            Corrector c = factory.apply(g);
            return (block, k) -> c.correct(block, t, noise(seed, k));
        };
        return Stream.of(
                DynamicTest.dynamicTest(name + ": keeps N(m_t, s_t^2) invariant", () -> {
                    Particles p = exact(g, t, N);
                    Step step = run.start(p, SEED);
                    for (int k = 0; k < CALLS; k++) {
                        step.apply(p.all(), k);
                    }
                    assertMoments(name, g, t, p, tolerance);
                }),
                rows(name, g, run, t),
                replay(name, g, factory, (c, block, k) -> ((Corrector) c).correct(block, t, noise(SEED, k)), t));
    }

    /** The predictor contract with the default tolerance. */
    public static Stream<DynamicTest> predictor(String name, Function<GaussianTarget, Predictor> factory) {
        return predictor(name, factory, DEFAULT_TOLERANCE);
    }

    /** The predictor contract; {@code tolerance} is the component's declared bias, relative to {@code s_t^2}. */
    public static Stream<DynamicTest> predictor(String name, Function<GaussianTarget, Predictor> factory, double tolerance) {
        GaussianTarget g = GaussianTarget.standard();
        double t0 = 1.0;
        double t1 = 0.2;
        Run run = (p, seed) -> {
            Predictor pr = factory.apply(g);
            return (block, k) -> pr.step(block, time(t0, t1, STEPS, k), time(t0, t1, STEPS, k + 1), noise(seed, k));
        };
        return Stream.of(
                DynamicTest.dynamicTest(name + ": reaches the exact marginal at t = " + t1, () -> {
                    Particles p = exact(g, t0, N);
                    Step step = run.start(p, SEED);
                    for (int k = 0; k < STEPS; k++) {
                        step.apply(p.all(), k);
                    }
                    assertMoments(name, g, t1, p, tolerance);
                }),
                DynamicTest.dynamicTest(name + ": if deterministic, follows the exact flow, better with more steps", () -> {
                    double[] a = flow(g, factory, t0, t1, STEPS, SEED);
                    assumeTrue(Arrays.equals(a, flow(g, factory, t0, t1, STEPS, SEED + 1)), "stochastic predictor");
                    double[] b = flow(g, factory, t0, t1, 2 * STEPS, SEED);
                    double[] exact = new double[g.dimension()];
                    double ratio = Math.sqrt(g.variance(t1) / g.variance(t0));
                    for (int i = 0; i < exact.length; i++) {
                        exact[i] = g.mean(t1, i) + ratio * (start(g, t0, i) - g.mean(t0, i));
                    }
                    double ea = distance(a, exact);
                    double eb = distance(b, exact);
                    // any consistent method: an error well under the flow's displacement, and smaller with half the step
                    assertTrue(ea < 0.1 && eb < ea, () -> name + ": flow-map error " + ea + " with " + STEPS
                            + " steps, " + eb + " with " + 2 * STEPS + "; expected < 0.1 and shrinking");
                }),
                rows(name, g, run, t0),
                replay(name, g, factory, (c, block, k) -> ((Predictor) c).step(block, time(t0, t1, STEPS, k),
                        time(t0, t1, STEPS, k + 1), noise(SEED, k)), t0));
    }

    /** One component call at step {@code k}. */
    interface Step {
        void apply(Block block, int k);
    }

    /** A fresh component on problem rows {@code p}, drawing from {@code seed}. */
    interface Run {
        Step start(Particles p, long seed);
    }

    interface Call {
        void apply(Object component, Block block, int k);
    }

    /** Step {@code k} of the uniform grid of {@code steps} steps from {@code t0} down to {@code t1}. */
    private static double time(double t0, double t1, int steps, int k) {
        return k == steps ? t1 : t0 + (t1 - t0) * k / steps;
    }

    /** The run's noise at step {@code k} of stage 0. */
    private static Noise noise(long seed, int k) {
        return PhiloxNoise.of(seed, 0, k);
    }

    private static Particles exact(GaussianTarget g, double t, int n) {
        Particles p = new Particles(n, g.dimension());
        g.sample(p.all(), t, noise(SEED ^ 0x5EED, 0));
        p.setTime(t);
        return p;
    }

    /** The flow test's one particle: one standard deviation off the mean, on every coordinate. */
    private static double start(GaussianTarget g, double t, int i) {
        return g.mean(t, i) + (i % 2 == 0 ? 1 : -1) * Math.sqrt(g.variance(t));
    }

    private static double[] flow(GaussianTarget g, Function<GaussianTarget, Predictor> factory, double t0, double t1,
            int steps, long seed) {
        Predictor pr = factory.apply(g);
        double[] x = new double[g.dimension()];
        for (int i = 0; i < x.length; i++) {
            x[i] = start(g, t0, i);
        }
        Particles p = new Particles(1, x.length, 0, x, t0);
        for (int k = 0; k < steps; k++) {
            pr.step(p.all(), time(t0, t1, steps, k), time(t0, t1, steps, k + 1), noise(seed, k));
        }
        return x;
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    /**
     * Per coordinate: |mean - m_t| within 5 standard errors ({@code s / sqrt(n)}) plus
     * {@code tolerance * s}; the variance within 5 standard errors ({@code s^2 sqrt(2 / n)}, exact
     * for Gaussian samples) plus {@code tolerance * s^2}. Five standard errors: a false alarm
     * about once in 10^6 per check, and the seed is fixed, so the test never flickers.
     */
    private static void assertMoments(String name, GaussianTarget g, double t, Particles p, double tolerance) {
        int n = p.size();
        int d = p.dimension();
        double s2 = g.variance(t);
        double[] x = p.data();
        for (int i = 0; i < d; i++) {
            double sum = 0;
            for (int r = 0; r < n; r++) {
                sum += x[r * d + i];
            }
            double mean = sum / n;
            double ss = 0;
            for (int r = 0; r < n; r++) {
                ss += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            }
            double var = ss / (n - 1);
            double meanTol = 5 * Math.sqrt(s2 / n) + tolerance * Math.sqrt(s2);
            double varTol = 5 * s2 * Math.sqrt(2.0 / n) + tolerance * s2;
            int coordinate = i;
            assertTrue(Double.isFinite(mean) && Math.abs(mean - g.mean(t, i)) <= meanTol, () -> name
                    + ": mean of coordinate " + coordinate + " at t = " + t + " is " + mean + ", exact " + g.mean(t, coordinate)
                    + ", tolerance " + meanTol);
            assertTrue(Double.isFinite(var) && Math.abs(var - s2) <= varTol, () -> name + ": variance of coordinate "
                    + coordinate + " at t = " + t + " is " + var + ", exact " + s2 + ", tolerance " + varTol);
        }
    }

    /** Rows 0..11 as one block, as blocks [0, 5) + [5, 12), and rows 5..11 alone under their global indices. */
    private static DynamicTest rows(String name, GaussianTarget g, Run run, double t) {
        return DynamicTest.dynamicTest(name + ": a particle depends only on its row and its noise", () -> {
            int n = 12;
            int cut = 5;
            int d = g.dimension();
            Particles whole = exact(g, t, n);
            Particles split = copy(whole, 0, n);
            Particles tail = copy(whole, cut, n);
            Step a = run.start(whole, SEED);
            Step b = run.start(split, SEED);
            Step c = run.start(tail, SEED);
            Block all = whole.all();
            Block head = split.block(0, cut);
            Block rest = split.block(cut, n);
            Block alone = tail.all();
            for (int k = 0; k < 3; k++) {
                a.apply(all, k);
                b.apply(head, k);
                b.apply(rest, k);
                c.apply(alone, k);
            }
            assertArrayEquals(whole.data(), split.data(), name + ": blocks [0, 5) + [5, 12) differ from one block [0, 12)");
            assertArrayEquals(Arrays.copyOfRange(whole.data(), cut * d, n * d), tail.data(),
                    name + ": rows 5..11 held alone (firstIndex 5) differ from the same rows in the whole ensemble");
        });
    }

    private static Particles copy(Particles p, int from, int to) {
        int d = p.dimension();
        return new Particles(to - from, d, p.firstIndex() + from,
                Arrays.copyOfRange(p.data(), from * d, to * d), p.time());
    }

    /**
     * Save the particles and their rows after one call, run two, put the saved ones into fresh
     * particles, run the same two again: the same bits and the same rows.
     */
    private static DynamicTest replay(String name, GaussianTarget g, Function<GaussianTarget, ?> factory, Call call, double t) {
        return DynamicTest.dynamicTest(name + ": restoring saved rows replays the same bits", () -> {
            Object component = factory.apply(g);
            assumeTrue(component instanceof RowMemory, "not a RowMemory: it remembers nothing per particle");
            RowMemory memory = (RowMemory) component;
            String key = "stages.contract.component";
            Particles p = exact(g, t, 16);
            p.nameRowState(memory, key);
            call.apply(component, p.all(), 0);
            double[] saved = p.rowState(memory).clone();
            Particles first = copy(p, 0, p.size());
            first.putRowState(key, saved.clone());
            first.nameRowState(memory, key);
            Block firstBlock = first.all();
            call.apply(component, firstBlock, 1);
            call.apply(component, firstBlock, 2);
            Particles second = copy(p, 0, p.size());
            second.putRowState(key, saved.clone());
            second.nameRowState(memory, key);
            Block secondBlock = second.all();
            call.apply(component, secondBlock, 1);
            call.apply(component, secondBlock, 2);
            assertArrayEquals(first.data(), second.data(), name + ": the run from the saved rows differs from the first");
            assertArrayEquals(first.rowState(memory), second.rowState(memory), name + ": the rows after the replay differ");
        });
    }
}
