package org.scorepipe.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.scorepipe.runtime.assembly.PipelineSections;
import org.scorepipe.runtime.config.ParameterBinder;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A mistake in the command line itself (an unknown option, a missing argument): one line that
 * says what to type instead, exit code 2. An unknown {@code --seed 3} that names a key of the
 * pipeline file points to {@code --set pipeline.seed=3}.
 */
final class UsageErrors {
    private UsageErrors() {
    }

    static int report(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        PrintWriter err = command.getErr();
        err.println("error: " + message(e) + "; see `" + command.getCommandSpec().qualifiedName() + " --help`");
        err.flush();
        return ScorepipeCommand.USER_ERROR;
    }

    static String message(ParameterException e) {
        if (!(e instanceof UnmatchedArgumentException u) || u.getUnmatched().isEmpty()) {
            return e.getMessage();
        }
        List<String> unmatched = u.getUnmatched();
        String first = unmatched.get(0);
        Set<String> commands = e.getCommandLine().getSubcommands().keySet();
        if (!first.startsWith("-") && !commands.isEmpty()) {
            return "unknown command '" + first + "'" + ParameterBinder.suggestion(first, commands);
        }
        if (!first.startsWith("--")) {
            return e.getMessage();
        }
        int equals = first.indexOf('=');
        String option = equals < 0 ? first : first.substring(0, equals);
        String value = equals >= 0 ? first.substring(equals + 1)
                : unmatched.size() > 1 && !unmatched.get(1).startsWith("-") ? unmatched.get(1) : "VALUE";
        Optional<String> key = pipelineKey(option.substring(2));
        if (key.isPresent()) {
            return "unknown option " + option + "; pipeline keys are set with --set: --set " + key.get() + "=" + value;
        }
        List<String> options = e.getCommandLine().getCommandSpec().optionsMap().keySet().stream().filter(o -> o.startsWith("--")).toList();
        return "unknown option " + option + ParameterBinder.suggestion(option, options);
    }

    /** The one key of the pipeline file's own sections that {@code --name} stands for: {@code seed} or {@code pipeline-seed}. */
    private static Optional<String> pipelineKey(String name) {
        List<String> matches = PipelineSections.keys().stream()
                .filter(k -> k.endsWith("." + name) || k.replace('.', '-').equals(name))
                .toList();
        return matches.size() == 1 ? Optional.of(matches.get(0)) : Optional.empty();
    }
}
