package org.scorepipe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.Callable;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.checkpoint.Checkpoint;
import org.scorepipe.runtime.checkpoint.CheckpointStore;
import org.scorepipe.runtime.config.ConfigTrees;
import org.scorepipe.runtime.config.PipelineFile;
import org.scorepipe.runtime.noise.PhiloxNoise;
import org.scorepipe.runtime.run.MetricsTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe inspect CHECKPOINT}. */
@Command(name = "inspect", description = "Show what a checkpoint holds, and how its pipeline differs from a file.")
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Parameters(index = "0", paramLabel = "CHECKPOINT", description = "A checkpoint file (runs/<run>/checkpoints/*.spck).")
    Path checkpoint;

    @Option(names = "--against", paramLabel = "FILE", description = "Also list the config keys that differ from this pipeline file.")
    Path against;

    @Override
    public Integer call() {
        if (Files.isDirectory(checkpoint)) {
            throw new ScorepipeException(checkpoint + " is a folder, not a checkpoint: inspect one of its checkpoints"
                    + newest(checkpoint.resolve("checkpoints")).map(c -> ", e.g. the newest, `scorepipe inspect " + c + "`")
                            .orElse(" (runs/<run>/checkpoints/*.spck)")
                    + "; `scorepipe resume` takes the run directory itself");
        }
        var out = parent.spec.commandLine().getOut();
        out.print(summary(CheckpointStore.readManifest(checkpoint), Optional.ofNullable(against)));
        out.flush();
        return 0;
    }

    /** The format version in the file's header (it has just been read whole, so it is one this scorepipe reads). */
    private static String formatOf(Path file) {
        try (java.io.InputStream in = Files.newInputStream(file)) {
            byte[] header = in.readNBytes(12);
            return header.length < 12 ? "?" : Integer.toString(java.nio.ByteBuffer.wrap(header, 8, 4).getInt());
        } catch (IOException e) {
            return "? (" + e.getMessage() + ")";
        }
    }

    /** A human summary of the checkpoint, and its config's differences from {@code against}. */
    private String summary(Checkpoint c, Optional<Path> against) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("checkpoint     %s%n", checkpoint));
        out.append(String.format("format         %s%n", formatOf(checkpoint)));
        out.append(String.format("layout         %s%n", c.sharded() ? c.shards().size() + " shards beside this manifest, all verified"
                + " (" + c.shards().stream().mapToLong(s -> s.bytes()).sum() + " bytes)" : "one file"));
        out.append(String.format("pipeline       %s%n", c.pipeline()));
        out.append(String.format("run            %s%n", c.runId().isEmpty() ? "(no id recorded)" : c.runId()));
        out.append(String.format("position       %s (stage index %d, step %d)%n", c.position(), c.stage(), c.step()));
        out.append(String.format("t              %s%n", c.time()));
        out.append(String.format("particles      %d x %d (first index %d)%n", c.n(), c.dimension(), c.firstIndex()));
        out.append(String.format("largest |x|    %.6g (%.6g when the stage began)%n", CheckpointStore.maxAbs(checkpoint, c),
                c.stageStartMaxAbs()));
        out.append(String.format("seed           %d%n", c.seed()));
        out.append(String.format("noise          %s%s%n", c.noiseGenerator(),
                PhiloxNoise.GENERATOR.equals(c.noiseGenerator()) ? "" : " (NOT this scorepipe's: no exact resume)"));
        out.append(String.format("stages         %s%n", c.stageNames()));
        out.append(String.format("states         %s%n", c.states().isEmpty() ? "none" : c.states().keySet()));
        StringBuilder rows = new StringBuilder();
        if (c.sharded()) {
            rows.append("in the shards");
        }
        c.rows().forEach((path, r) -> rows.append(rows.length() == 0 ? "" : ", ").append(path).append(" (")
                .append(c.n() == 0 ? 0 : r.length / c.n()).append(" per particle)"));
        out.append(String.format("rows           %s%n", rows.length() == 0 ? "none" : rows));
        out.append(String.format("metrics so far%n")).append(MetricsTable.of(c.metrics()));
        if (against.isPresent()) {
            PipelineFile before = PipelineFile.parse("checkpoint", c.config(), List.of());
            List<String> diff = ConfigTrees.diff("", before.withoutRunIdentity(), withResolvedPaths(PipelineFile.load(against.get(),
                    List.of())).withoutRunIdentity());
            out.append(String.format("config against %s: %s%n", against.get(), diff.isEmpty() ? "identical" : diff.size() + " difference(s)"));
            diff.forEach(d -> out.append("  ").append(d).append(System.lineSeparator()));
        }
        return out.toString();
    }

    /**
     * {@code file} with its file paths absolute, as a run records them (so that a checkpoint's config
     * and a pipeline file compare key by key); as written if it does not build, since a comparison
     * is still worth showing then.
     */
    private PipelineFile withResolvedPaths(PipelineFile file) {
        try {
            return parent.scorepipe().validate(file).config();
        } catch (ScorepipeException e) {
            return file;
        }
    }

    /** The checkpoint in {@code folder} named last: the names order by stage, then step. */
    private static Optional<Path> newest(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".spck")).max(Comparator.comparing(Path::getFileName));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
