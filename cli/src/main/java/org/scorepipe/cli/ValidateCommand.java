package org.scorepipe.cli;

import java.util.concurrent.Callable;
import org.scorepipe.runtime.assembly.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe validate FILE}: builds every component, runs nothing. */
@Command(name = "validate", description = "Check a pipeline file: every key, type and component, without running it.")
final class ValidateCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Mixin
    PipelineOptions options;

    @Override
    public Integer call() {
        options.requirePipelineFile();
        Pipeline pipeline = parent.scorepipe().validate(options.file, options.allOverrides());
        var out = parent.spec.commandLine().getOut();
        out.printf("%s is valid: pipeline %s, %d particles in %d dimensions, seed %d%n", options.file,
                pipeline.spec().name(), pipeline.spec().particles(), pipeline.spec().dimension(), pipeline.spec().seed());
        for (Pipeline.Entry entry : pipeline.entries()) {
            out.printf("  %-16s %-16s %s%n", entry.name(), entry.type(),
                    entry instanceof Pipeline.PlannedStage ? entry.steps() + " steps" : "observer");
        }
        out.flush();
        return 0;
    }
}
