package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Python package's own tests ({@code python/tests}, unittest) against the jar this build
 * made, so that {@code mvn -B verify} runs them with every other test. Skipped only where there
 * is no {@code python3} with NumPy, and never in CI ({@code CI=true}), whose script installs them.
 */
class PythonIT {
    private static final Path PACKAGE = Cli.PIPELINES.getParent().resolve("python");

    @Test
    void thePackagesTestsPass() throws Exception {
        boolean python = exitCode(new ProcessBuilder("python3", "-c", "import numpy")) == 0;
        if (!python && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI has no python3 with NumPy: .ci/run should have installed them");
        }
        assumeTrue(python, "no python3 with NumPy here: the Python package's tests cannot run");
        ProcessBuilder tests = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "tests", "-v")
                .directory(PACKAGE.toFile());
        tests.environment().put("SCOREPIPE_HOME", Cli.JAR.toString());
        tests.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Path output = Files.createTempFile("python-tests", ".txt");
        try {
            int exit = exitCode(tests.redirectErrorStream(true).redirectOutput(output.toFile()));
            String text = Files.readString(output, StandardCharsets.UTF_8);
            System.out.println(text);
            assertEquals(0, exit, text);
            assertTrue(text.matches("(?s).*\\nRan [1-9]\\d* tests? in .*\\nOK.*"), text);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static int exitCode(ProcessBuilder builder) throws Exception {
        Process process;
        try {
            process = builder.start();
        } catch (java.io.IOException e) {
            return -1; // no such program
        }
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", builder.command()) + " did not finish in ten minutes");
        }
        return process.exitValue();
    }
}
