package org.scorepipe.cli;

import java.io.PrintWriter;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code scorepipe}: run, validate and inspect score-based sampling pipelines. */
@Command(name = "scorepipe",
        mixinStandardHelpOptions = true,
        versionProvider = ScorepipeCommand.Version.class,
        description = "Score-based generative sampling pipelines.",
        subcommands = {RunCommand.class, ValidateCommand.class, PluginsCommand.class, CommandLine.HelpCommand.class})
public final class ScorepipeCommand implements Runnable {
    /** Exit code of a user mistake (bad config, missing file, diverging run). */
    static final int USER_ERROR = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private Scorepipe scorepipe;

    /** The runtime, with the plugins on the class path; discovered once per invocation. */
    Scorepipe scorepipe() {
        if (scorepipe == null) {
            scorepipe = new Scorepipe(ComponentRegistry.discover(ScorepipeCommand.class.getClassLoader()));
        }
        return scorepipe;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new ScorepipeCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ScorepipeException) {
                commandLine.getErr().println("error: " + e.getMessage());
                commandLine.getErr().flush();
                return USER_ERROR;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ScorepipeCommand.class.getPackage().getImplementationVersion();
            return new String[] {"scorepipe " + (v == null ? "(development build)" : v) + ", plugin API "
                    + org.scorepipe.api.Plugin.API_VERSION};
        }
    }
}
