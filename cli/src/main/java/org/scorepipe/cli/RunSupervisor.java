package org.scorepipe.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.scorepipe.runtime.run.RunControl;
import sun.misc.Signal;

/**
 * Watches a run from the command line: turns the first Ctrl-C (SIGINT) or SIGTERM into a stop
 * at the next common step with a checkpoint, a second one into an immediate exit; and shows
 * progress — a bar redrawn in place on an interactive terminal, plain lines every ten seconds
 * otherwise or with {@code --quiet}.
 */
final class RunSupervisor implements AutoCloseable {
    /** Exit code of a run stopped by a signal, as shells report Ctrl-C. */
    static final int STOPPED = 130;

    private final RunControl control = new RunControl();
    private final PrintWriter err;
    private final ScheduledExecutorService ticker;
    private final AtomicInteger signals = new AtomicInteger();
    private final boolean bar;
    private long lastStep = -1;
    private long lastParticleSteps;
    private long lastNanos = System.nanoTime();
    private long lastLine = System.nanoTime();
    private double rate = Double.NaN;

    RunSupervisor(PrintWriter err, boolean quiet) {
        this.err = err;
        this.bar = !quiet && System.console() != null;
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                // A signal ignored when the process started (a job started in the background by a
                // non-interactive shell ignores SIGINT) stays ignored: the JVM installs no handler.
                if (Signal.handle(new Signal(name), s -> onSignal(s.getName())) == sun.misc.SignalHandler.SIG_IGN) {
                    err.println("warning: SIG" + name + " is ignored in this process (started in the background?), so "
                            + (name.equals("INT") ? "Ctrl-C" : "SIGTERM") + " will not stop the run with a checkpoint; stop it with kill -"
                            + (name.equals("INT") ? "TERM" : "INT") + " " + ProcessHandle.current().pid() + " instead");
                    err.flush();
                }
            } catch (IllegalArgumentException e) {
                // The signal is not available on this platform or already taken: nothing to hook.
            }
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scorepipe-progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, 500, bar ? 250 : 1000, TimeUnit.MILLISECONDS);
    }

    RunControl control() {
        return control;
    }

    private void onSignal(String name) {
        if (signals.incrementAndGet() > 1) {
            err.println();
            err.println("scorepipe: second SIG" + name + ": stopping now, without a checkpoint");
            err.flush();
            Runtime.getRuntime().halt(STOPPED);
        }
        err.println();
        err.println("scorepipe: SIG" + name + ": finishing the current step and writing a checkpoint (again to abort)");
        err.flush();
        control.requestStop();
    }

    private synchronized void tick() {
        RunControl.Progress p = control.progress();
        if (p.stage().isEmpty() || p.steps() == 0) {
            return;
        }
        long now = System.nanoTime();
        double seconds = (now - lastNanos) / 1e9;
        if (p.step() < lastStep || seconds <= 0) {
            lastParticleSteps = 0;
        } else if (seconds > 0.2) {
            double instant = (p.particleSteps() - lastParticleSteps) / seconds;
            rate = Double.isNaN(rate) ? instant : 0.7 * rate + 0.3 * instant;
        }
        lastStep = p.step();
        lastParticleSteps = p.particleSteps();
        lastNanos = now;
        double fraction = (double) p.step() / p.steps();
        String eta = "";
        if (!Double.isNaN(rate) && rate > 0 && p.step() > 0) {
            double particlesPerStep = p.particleSteps() / Math.max(1.0, p.step());
            eta = " ETA " + format(Duration.ofSeconds((long) ((p.steps() - p.step()) * particlesPerStep / rate)));
        }
        String speed = Double.isNaN(rate) ? "" : String.format(" %.3g particle-steps/s", rate);
        if (bar) {
            int width = 30;
            int filled = (int) Math.round(fraction * width);
            err.printf("\r%-12s [%s%s] %d/%d%s%s   ", p.stage(), "=".repeat(filled), " ".repeat(width - filled), p.step(), p.steps(),
                    speed, eta);
            err.flush();
        } else if (now - lastLine >= 10_000_000_000L) {
            lastLine = now;
            err.printf("progress: stage %s, step %d of %d (%.0f%%)%s%s%n", p.stage(), p.step(), p.steps(), 100 * fraction, speed, eta);
            err.flush();
        }
    }

    private static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%02d:%02d", s / 60, s % 60);
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        if (bar) {
            err.print("\r" + " ".repeat(100) + "\r");
            err.flush();
        }
    }
}
