package org.scorepipe.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code scorepipe.jar} in a child JVM. */
final class Cli {
    static final Path JAR = Path.of(System.getProperty("scorepipe.jar", "../cli/target/scorepipe.jar")).toAbsolutePath();
    static final Path PIPELINES = Path.of(System.getProperty("scorepipe.pipelines", "../pipelines")).toAbsolutePath();

    private Cli() {
    }

    /** The outcome of one invocation. */
    record Result(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    /** Runs {@code java -jar scorepipe.jar args...} in {@code workDir}; gives up after five minutes. */
    static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("scorepipe-out", ".txt");
        Path err = Files.createTempFile("scorepipe-err", ".txt");
        try {
            Process process = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("scorepipe " + String.join(" ", args) + " did not finish in five minutes");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
