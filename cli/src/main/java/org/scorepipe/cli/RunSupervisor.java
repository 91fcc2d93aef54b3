package org.scorepipe.cli;

import java.io.PrintStream;
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
 *
 * <p>The bar fits the terminal's width (it never wraps), is cleared before anything else is
 * written to stderr (log lines go through {@link System#err}, which the bar watches), and starts
 * each stage's rate and ETA afresh. The ETA is the stage's average pace so far, not the last
 * second's, so it does not swing in the first seconds.
 */
final class RunSupervisor implements AutoCloseable {
    /** Exit code of a run stopped by a signal, as shells report Ctrl-C. */
    static final int STOPPED = 130;

    private final RunControl control = new RunControl();
    private final PrintWriter err;
    private final ScheduledExecutorService ticker;
    private final AtomicInteger signals = new AtomicInteger();
    private final boolean bar;
    private final int width;
    private final PrintStream originalErr = System.err;
    private boolean drawn;
    private String stage = "";
    private long stageFirstStep;
    private long stageBegan;
    private long lastParticleSteps;
    private long lastNanos = System.nanoTime();
    private long lastLine = System.nanoTime();
    private double rate = Double.NaN;

    RunSupervisor(PrintWriter err, boolean quiet) {
        this.err = err;
        this.bar = !quiet && System.console() != null;
        this.width = bar ? terminalWidth() : 80;
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
        if (bar) {
            System.setErr(new PrintStream(new ClearingStream(originalErr), true));
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

    /** The terminal's columns: {@code COLUMNS} if exported, else what {@code stty} says of the terminal, else 80. */
    private static int terminalWidth() {
        try {
            String columns = System.getenv("COLUMNS");
            if (columns != null && columns.matches("\\d{2,4}")) {
                return Integer.parseInt(columns);
            }
            Process stty = new ProcessBuilder("sh", "-c", "stty size < /dev/tty").redirectErrorStream(true).start();
            String[] size = new String(stty.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim()
                    .split("\\s+");
            if (stty.waitFor(2, TimeUnit.SECONDS) && stty.exitValue() == 0 && size.length == 2 && size[1].matches("\\d{2,4}")) {
                return Integer.parseInt(size[1]);
            }
        } catch (java.io.IOException e) {
            // no stty: assume the classic width
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 80;
    }

    private void onSignal(String name) {
        synchronized (this) {
            clearBar();
            if (signals.incrementAndGet() > 1) {
                err.println("scorepipe: second SIG" + name + ": stopping now, without a checkpoint");
                err.flush();
                Runtime.getRuntime().halt(STOPPED);
            }
            err.println("scorepipe: SIG" + name + ": finishing the current step and writing a checkpoint (again to abort)");
            err.flush();
        }
        control.requestStop();
    }

    /** Erases the bar, if one is drawn, so that the next text starts on a clean line. */
    private synchronized void clearBar() {
        if (drawn) {
            err.print("\r" + " ".repeat(width - 1) + "\r");
            err.flush();
            drawn = false;
        }
    }

    private synchronized void tick() {
        RunControl.Progress p = control.progress();
        if (p.stage().isEmpty() || p.steps() == 0) {
            return;
        }
        long now = System.nanoTime();
        if (!p.stage().equals(stage) || p.particleSteps() < lastParticleSteps) {
            // A new stage: its own rate and ETA, from its first step on.
            stage = p.stage();
            stageFirstStep = p.step();
            stageBegan = now;
            lastParticleSteps = p.particleSteps();
            lastNanos = now;
            rate = Double.NaN;
            return;
        }
        double seconds = (now - lastNanos) / 1e9;
        if (seconds > 0.2) {
            double instant = (p.particleSteps() - lastParticleSteps) / seconds;
            rate = Double.isNaN(rate) ? instant : 0.7 * rate + 0.3 * instant;
            lastParticleSteps = p.particleSteps();
            lastNanos = now;
        }
        double fraction = (double) p.step() / p.steps();
        long done = p.step() - stageFirstStep;
        double elapsed = (now - stageBegan) / 1e9;
        String eta = done > 0 && elapsed >= 1 ? " ETA " + format(Duration.ofSeconds((long) ((p.steps() - p.step()) * elapsed / done))) : "";
        String speed = Double.isNaN(rate) ? "" : String.format(" %.3g/s", rate);
        if (bar) {
            String counts = " " + p.step() + "/" + p.steps() + speed + eta;
            String name = p.stage().length() > 16 ? p.stage().substring(0, 15) + "~" : p.stage();
            int barWidth = Math.max(0, Math.min(30, width - 1 - name.length() - 3 - counts.length()));
            int filled = (int) Math.round(fraction * barWidth);
            String line = name + " [" + "=".repeat(filled) + " ".repeat(barWidth - filled) + "]" + counts;
            line = line.length() > width - 1 ? line.substring(0, width - 1) : line;
            err.print("\r" + line + " ".repeat(width - 1 - line.length()));
            err.flush();
            drawn = true;
        } else if (now - lastLine >= 10_000_000_000L) {
            lastLine = now;
            err.printf("progress: stage %s, step %d of %d (%.0f%%)%s%s%n", p.stage(), p.step(), p.steps(), 100 * fraction,
                    speed.isEmpty() ? "" : speed.replace("/s", " particle-steps/s"), eta);
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
        clearBar();
        if (bar) {
            System.setErr(originalErr);
        }
    }

    /** stderr as the logs see it: the bar is erased before any of their text is written. */
    private final class ClearingStream extends java.io.FilterOutputStream {
        ClearingStream(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            synchronized (RunSupervisor.this) {
                clearBar();
                out.write(b, off, len);
            }
        }

        @Override
        public void write(int b) throws java.io.IOException {
            synchronized (RunSupervisor.this) {
                clearBar();
                out.write(b);
            }
        }
    }
}
