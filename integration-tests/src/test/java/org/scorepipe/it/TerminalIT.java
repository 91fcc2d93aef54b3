package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal of "A researcher's day": the progress bar on a real pseudo-terminal (util-linux's
 * {@code script}) of 80 columns, and how fast a stop request is honoured.
 */
class TerminalIT {
    @TempDir
    Path dir;

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @Test
    void theBarFitsEightyColumnsAndLogLinesStartOnAClearedLine() throws Exception {
        String command = java() + " --add-modules jdk.incubator.vector -jar " + Cli.JAR + " run "
                + Cli.PIPELINES.resolve("quickstart.yaml") + " --out bar --checkpoint-every 4000"
                + " --set stages.corrector.steps=40000";
        ProcessBuilder pb = new ProcessBuilder("script", "-qfec", command, "/dev/null").directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("terminal.txt").toFile());
        pb.environment().put("COLUMNS", "80");
        Process p = pb.start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the run ends");
        String terminal = Files.readString(dir.resolve("terminal.txt"), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), terminal);
        assertTrue(terminal.contains("corrector [="), "a bar was drawn:\n" + terminal);
        for (String line : terminal.split("\r?\n")) {
            // what one redraw of the bar writes: the text between carriage returns (log lines may wrap)
            for (String drawn : line.split("\r")) {
                if (drawn.matches("\\S+ \\[[= ]*\\].*")) {
                    assertTrue(drawn.length() < 80, "a bar wider than 79 columns: '" + drawn + "'");
                }
            }
            String visible = line.substring(line.lastIndexOf('\r') + 1);
            int log = line.indexOf(" INFO  ");
            if (log >= 8) {
                assertTrue(visible.matches("\\d\\d:\\d\\d:\\d\\d INFO .*"), "a log line on a cleared line: '" + line + "'");
            }
        }
        assertTrue(terminal.contains("report: bar/report.html"), terminal);
    }

    @Test
    void aStopRequestIsHonouredWithinTheSegmentItArrivesIn() throws Exception {
        // One segment for the whole stage (no periodic checkpoint): before segments were capped
        // at half a second, a stop waited for every block to reach the furthest block's step.
        List<String> command = List.of(java(), "-jar", Cli.JAR.toString(), "run", Cli.PIPELINES.resolve("quickstart.yaml").toString(),
                "--out", "stop", "--quiet", "--checkpoint-every", "0", "--block-size", "256", "--set", "stages.corrector.steps=100000000", "--set", "pipeline.particles=100000");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stop.txt").toFile()).start();
        Path log = dir.resolve("stop/run.log");
        for (int i = 0; i < 12_000 && !(Files.exists(log) && Files.readString(log).contains("stage corrector (corrector)")); i++) {
            assertTrue(p.isAlive(), Files.readString(dir.resolve("stop.txt")));
            p.waitFor(10, TimeUnit.MILLISECONDS);
        }
        p.waitFor(1, TimeUnit.SECONDS); // let the blocks spread out
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        // Generous: a run whose other 389 blocks had to catch up with the first two (a second of steps
        // each, on two threads) would take over three minutes here.
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped within a minute");
        String out = Files.readString(dir.resolve("stop.txt"));
        assertEquals(130, p.exitValue(), out);
        assertTrue(out.contains("stopped at stage 'corrector' at step"), out);
    }
}
