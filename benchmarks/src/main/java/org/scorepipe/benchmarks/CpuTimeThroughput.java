package org.scorepipe.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.scorepipe.api.Block;
import org.scorepipe.api.Particles;
import org.scorepipe.core.correctors.LangevinCorrector;
import org.scorepipe.runtime.noise.PhiloxNoise;

/**
 * One-thread Langevin throughput measured in <em>CPU time</em> of the measuring thread, for a
 * shared machine where wall-clock benchmarks are disturbed by other processes: particle-steps per
 * CPU-second of the corrector (score + noise + update, blocks of 1024, exactly
 * {@code StepPartsBenchmark.corrector}). It is no substitute for the JMH figures on a quiet
 * machine (time slices lost to others still cost cache refills), but is far steadier under load.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.scorepipe.benchmarks.CpuTimeThroughput [seconds per point]</pre>
 */
public final class CpuTimeThroughput {
    private CpuTimeThroughput() {
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        System.out.printf("%-9s %3s %2s %22s%n", "cov", "d", "K", "particle-steps/cpu-s");
        for (String cov : new String[] {"isotropic", "full"}) {
            for (int d : new int[] {2, 16, 64}) {
                for (int k : new int[] {3, 8}) {
                    LangevinCorrector corrector = new LangevinCorrector(new LangevinCorrector.Params(BenchmarkTargets.STEP, 1),
                            BenchmarkTargets.score(d, k, cov.equals("full")));
                    int n = BenchmarkTargets.PARTICLES;
                    Particles particles = BenchmarkTargets.gaussianParticles(n, d);
                    Block[] blocks = new Block[(n + 1023) / 1024];
                    for (int b = 0; b < blocks.length; b++) {
                        blocks[b] = particles.block(b * 1024, Math.min(n, (b + 1) * 1024));
                    }
                    PhiloxNoise noise = new PhiloxNoise(BenchmarkTargets.SEED);
                    long step = 0;
                    // Warm-up: a third of the time, then measure the rest.
                    for (int phase = 0; phase < 2; phase++) {
                        double budget = phase == 0 ? seconds / 3 : seconds;
                        long startCpu = bean.getCurrentThreadCpuTime();
                        long steps = 0;
                        long used;
                        do {
                            noise.position(1, step++);
                            for (Block b : blocks) {
                                corrector.correct(b, BenchmarkTargets.TIME, noise);
                            }
                            steps++;
                            used = bean.getCurrentThreadCpuTime() - startCpu;
                        } while (used < budget * 1e9);
                        if (phase == 1) {
                            System.out.printf("%-9s %3d %2d %22.4g%n", cov, d, k, steps * (double) n / (used / 1e9));
                        }
                    }
                }
            }
        }
    }
}
