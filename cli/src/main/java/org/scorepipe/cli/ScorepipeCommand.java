package org.scorepipe.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.scorepipe.runtime.Scorepipe;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.plugins.PluginFolderSetting;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code scorepipe}: run, validate and inspect score-based sampling pipelines. */
@Command(name = "scorepipe",
        // INHERIT: every subcommand (run, plugins list, ...) takes --help and --version too
        scope = CommandLine.ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = ScorepipeCommand.Version.class,
        description = "Score-based generative sampling pipelines.",
        subcommands = {RunCommand.class, ResumeCommand.class, ExtendCommand.class, ValidateCommand.class, InspectCommand.class, PluginsCommand.class,
            ReportCommand.class, TrainCommand.class, CommandLine.HelpCommand.class})
public final class ScorepipeCommand implements Runnable {
    /** Exit code of a user mistake (bad config, missing file, diverging run). */
    static final int USER_ERROR = 2;

    /** Exit code of a failure that is scorepipe's own bug, not the user's. */
    static final int INTERNAL_ERROR = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "On a failure, print the stack trace after the message (run.log always keeps it).")
    boolean debug;

    private Scorepipe scorepipe;

    /**
     * The runtime, with the plugins on the class path and those of the plugin folder; discovered
     * once per invocation. The folder is the command's {@code --plugins}, else the pipeline
     * file's {@code plugins.dir}, else {@code SCOREPIPE_PLUGINS} (see {@link PluginFolderSetting}).
     */
    Scorepipe scorepipe() {
        if (scorepipe == null) {
            CommandLine.ParseResult command = spec.commandLine().getParseResult();
            while (command != null && command.hasSubcommand()) {
                command = command.subcommand();
            }
            Optional<Path> option = Optional.empty();
            Optional<PipelineOptions> pipeline = Optional.empty();
            if (command != null) {
                option = Optional.ofNullable(command.matchedOptionValue("--plugins", (Path) null));
                pipeline = command.commandSpec().mixins().values().stream().map(CommandLine.Model.CommandSpec::userObject)
                        .filter(PipelineOptions.class::isInstance).map(PipelineOptions.class::cast).findFirst();
            }
            Optional<Path> file = pipeline.map(p -> p.file);
            List<String> overrides = pipeline.map(PipelineOptions::allOverrides).orElse(List.of());
            if (command != null && command.commandSpec().userObject() instanceof ResumeCommand resume) {
                // A resumed run uses the plugins it ran with: its config.yaml records the folder.
                file = Optional.of(resume.pipelineFile()).filter(java.nio.file.Files::isRegularFile);
                overrides = resume.execution.allOverrides();
            }
            Optional<Path> folder = PluginFolderSetting.choose(option, file, overrides, System.getenv());
            ComponentRegistry registry = ComponentRegistry.discover(ScorepipeCommand.class.getClassLoader(), folder);
            // `plugins list` prints the problems itself; elsewhere a broken plugin fails only the
            // pipelines that use it, and is worth a warning.
            if (command == null || !(command.commandSpec().userObject() instanceof PluginsCommand.ListCommand)) {
                PrintWriter err = spec.commandLine().getErr();
                registry.problems().forEach(problem -> err.println("warning: " + problem));
                err.flush();
            }
            scorepipe = new Scorepipe(registry).withPluginFolder(folder);
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
        cli.setParameterExceptionHandler(UsageErrors::report);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> report(e, err, debug(parseResult)));
        try {
            return cli.execute(args);
        } catch (RuntimeException | Error e) {
            // picocli hands Errors (OutOfMemoryError, StackOverflowError) straight through.
            return report(e, err, debug(cli.getParseResult()));
        }
    }

    /**
     * Prints a failure as one {@code error:} line, and its trace only with {@code --debug}; returns the exit code:
     * {@link #USER_ERROR} for what the user can act on, {@link #INTERNAL_ERROR} for scorepipe's own bugs.
     */
    private static int report(Throwable e, PrintWriter err, boolean debug) {
        if (e instanceof ScorepipeException) {
            return fail(err, e.getMessage(), debug ? e : null, USER_ERROR);
        }
        if (e instanceof OutOfMemoryError) {
            return fail(err, "out of memory (" + e.getMessage() + "): use fewer particles, or give Java more memory"
                    + " (e.g. SCOREPIPE_JAVA_OPTS=-Xmx8g ./scorepipe ...)", debug ? e : null, USER_ERROR);
        }
        return fail(err, "internal error: " + e + ". This is a bug in scorepipe: please report it with the trace"
                + (debug ? " below" : " that --debug prints"), debug ? e : null, INTERNAL_ERROR);
    }

    private static int fail(PrintWriter err, String message, Throwable trace, int exitCode) {
        err.println("error: " + String.valueOf(message).replaceAll("\\s*\\R\\s*", " "));
        if (trace != null) {
            trace.printStackTrace(err);
        }
        err.flush();
        return exitCode;
    }

    /** Whether {@code --debug} was given to the command or any of its parents. */
    private static boolean debug(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.hasSubcommand() ? p.subcommand() : null) {
            if (p.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return false;
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
