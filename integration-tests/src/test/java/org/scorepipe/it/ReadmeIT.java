package org.scorepipe.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's blocks marked {@code <!-- runnable -->} run as written, each in a fresh folder
 * holding the shipped {@code pipelines/} and a {@code ./scorepipe} that starts the built jar.
 */
class ReadmeIT {
    private static final Path REPOSITORY = Cli.PIPELINES.getParent();
    private static final Pattern RUNNABLE = Pattern.compile("<!-- runnable -->\\s*```(bash|python)\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path dir;

    record Block(String language, String code) {
    }

    static List<Block> blocks() throws Exception {
        Matcher m = RUNNABLE.matcher(Files.readString(REPOSITORY.resolve("README.md"), StandardCharsets.UTF_8));
        List<Block> blocks = new ArrayList<>();
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return blocks;
    }

    @Test
    void everyRunnableBlockRunsAsWritten() throws Exception {
        List<Block> blocks = blocks();
        assertFalse(blocks.isEmpty(), "the README marks blocks as runnable");
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            Path folder = Files.createDirectories(dir.resolve("block-" + i));
            Files.createSymbolicLink(folder.resolve("pipelines"), Cli.PIPELINES);
            Path wrapper = folder.resolve("scorepipe");
            Files.writeString(wrapper, "#!/bin/sh\nexec '" + Path.of(System.getProperty("java.home"), "bin", "java")
                    + "' --add-modules jdk.incubator.vector -jar '" + Cli.JAR + "' \"$@\"\n");
            wrapper.toFile().setExecutable(true);
            ProcessBuilder pb;
            if (block.language().equals("bash")) {
                Files.writeString(folder.resolve("block.sh"), "set -e\n" + block.code());
                pb = new ProcessBuilder("bash", "block.sh");
            } else {
                boolean python = new ProcessBuilder("python3", "-c", "import numpy").start().waitFor() == 0;
                assumeTrue(python || "true".equals(System.getenv("CI")), "no python3 with NumPy for the README's Python block");
                Files.writeString(folder.resolve("block.py"), block.code());
                pb = new ProcessBuilder("python3", "block.py");
                pb.environment().put("PYTHONPATH", REPOSITORY.resolve("python").toString());
                pb.environment().put("SCOREPIPE_HOME", Cli.JAR.toString());
            }
            Path output = folder.resolve("output.txt");
            Process p = pb.directory(folder.toFile()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean ended = p.waitFor(10, TimeUnit.MINUTES);
            String out = Files.readString(output);
            assertEquals(true, ended, "block " + i + " did not end in ten minutes:\n" + block.code());
            assertEquals(0, p.exitValue(), "block " + i + ":\n" + block.code() + "\nprinted:\n" + out);
        }
    }
}
