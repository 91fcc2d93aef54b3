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

    static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** The line the JVM prints first when an incubator module is added; ./scorepipe drops it too. */
    static final String INCUBATOR_NOTICE = "^WARNING: Using incubator modules: jdk\\.incubator\\.vector\\R";

    private Cli() {
    }

    /** The outcome of one invocation. */
    record Result(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }
    }

    /**
     * Runs {@code java --add-modules jdk.incubator.vector -jar scorepipe.jar args...} in {@code workDir}, as
     * {@code ./scorepipe} does (SIMD kernels on, the JVM's incubator notice dropped from stderr); gives
     * up after five minutes.
     */
    static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        return runWith(List.of(), workDir, args);
    }

    /** {@link #run} with extra JVM options before {@code -jar} (say {@code -Dscorepipe.simd=false}). */
    static Result runWith(List<String> jvmOptions, Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--add-modules", VECTOR_MODULE));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", JAR.toString()));
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
                    Files.readString(err, StandardCharsets.UTF_8).replaceFirst(INCUBATOR_NOTICE, ""));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
