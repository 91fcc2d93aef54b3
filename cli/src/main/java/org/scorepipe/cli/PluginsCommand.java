package org.scorepipe.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.scorepipe.api.ComponentKind;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.config.ParameterBinder;
import org.scorepipe.runtime.plugins.ComponentRegistry;
import org.scorepipe.runtime.plugins.ComponentType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code scorepipe plugins list | describe NAME}. */
@Command(name = "plugins", description = "List the components plugins provide, or describe one.",
        subcommands = {PluginsCommand.ListCommand.class, PluginsCommand.DescribeCommand.class})
final class PluginsCommand implements Runnable {
    @ParentCommand
    ScorepipeCommand parent;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", description = "Every component, by kind and name, with the plugin, jar and version it comes from.")
    static final class ListCommand implements Callable<Integer> {
        @ParentCommand
        PluginsCommand plugins;

        @Option(names = "--plugins", paramLabel = "DIR",
                description = "A folder of plugin jars (or of one sub-folder of jars per plugin). Default: $SCOREPIPE_PLUGINS.")
        Path pluginFolder;

        @Override
        public Integer call() {
            ComponentRegistry registry = plugins.parent.scorepipe().registry();
            PrintWriter out = plugins.parent.spec.commandLine().getOut();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"KIND", "NAME", "PLUGIN", "JAR", "VERSION", "DESCRIPTION"});
            for (ComponentType t : registry.all()) {
                rows.add(new String[] {t.kind().cliName(), t.name(), t.plugin(), t.jar(), t.version(), t.doc()});
            }
            // kind and name keep their fixed columns; plugin, jar and version are as wide as needed
            int[] widths = {16, 22, 0, 0, 0};
            for (String[] row : rows) {
                for (int c = 0; c < widths.length; c++) {
                    widths[c] = Math.max(widths[c], row[c].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int c = 0; c < widths.length; c++) {
                    line.append(String.format("%-" + widths[c] + "s ", row[c]));
                }
                out.println(line.append(row[5]).toString().stripTrailing());
            }
            if (!registry.problems().isEmpty()) {
                out.println();
                out.println("problems (the components above stay usable):");
                for (String problem : registry.problems()) {
                    out.println("  - " + problem);
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "describe", description = "The parameters of a component: keys, types, defaults and docs.")
    static final class DescribeCommand implements Callable<Integer> {
        @ParentCommand
        PluginsCommand plugins;

        @Parameters(index = "0", paramLabel = "NAME", description = "The component's name, e.g. langevin.")
        String name;

        @Option(names = "--kind", paramLabel = "KIND", description = "The kind, when several kinds share the name (e.g. corrector).")
        String kind;

        @Option(names = "--plugins", paramLabel = "DIR",
                description = "A folder of plugin jars (or of one sub-folder of jars per plugin). Default: $SCOREPIPE_PLUGINS.")
        Path pluginFolder;

        @Override
        public Integer call() {
            ComponentRegistry registry = plugins.parent.scorepipe().registry();
            List<ComponentType> matches = registry.all().stream()
                    .filter(t -> t.name().equals(name))
                    .filter(t -> kind == null || t.kind().cliName().equals(kind))
                    .toList();
            if (matches.isEmpty()) {
                for (ComponentKind k : ComponentKind.values()) {
                    Optional<String> why = registry.unusable(k, name);
                    if (why.isPresent() && (kind == null || k.cliName().equals(kind))) {
                        throw new ScorepipeException("the " + k.label() + " '" + name + "' cannot be used: " + why.get());
                    }
                }
                List<String> names = registry.all().stream().map(ComponentType::name).distinct().sorted().toList();
                throw new ScorepipeException("no component named '" + name + "'" + (kind == null ? "" : " of kind " + kind)
                        + ParameterBinder.suggestion(name, names) + "; `scorepipe plugins list` shows them all");
            }
            PrintWriter out = plugins.parent.spec.commandLine().getOut();
            for (ComponentType t : matches) {
                describe(t, out);
            }
            out.flush();
            return 0;
        }

        private static void describe(ComponentType t, PrintWriter out) {
            out.printf("%s %s (plugin %s, %s %s, %s)%n", t.kind().cliName(), t.name(), t.plugin(), t.jar(), t.version(),
                    t.type().getName());
            if (!t.doc().isEmpty()) {
                out.printf("  %s%n", t.doc());
            }
            Optional<Class<? extends Record>> params = t.params();
            List<ParameterBinder.Parameter> parameters = params.map(ParameterBinder::describe).orElse(List.of());
            if (parameters.isEmpty()) {
                out.println("  parameters: none");
            } else {
                out.println("  parameters:");
                for (ParameterBinder.Parameter p : parameters) {
                    out.printf("    %-20s %-24s %s%n", p.key(), p.type(),
                            p.required() ? "required" : "default " + (p.defaultValue().isEmpty() ? "(none)" : p.defaultValue()));
                    if (!p.doc().isEmpty()) {
                        out.printf("    %-20s %s%n", "", p.doc());
                    }
                }
            }
            List<String> collaborators = java.util.Arrays.stream(t.constructor().getGenericParameterTypes())
                    .map(type -> collaborator(type))
                    .flatMap(Optional::stream)
                    .toList();
            if (!collaborators.isEmpty()) {
                out.println("  uses: " + String.join(", ", collaborators));
            }
        }

        private static Optional<String> collaborator(java.lang.reflect.Type type) {
            for (ComponentKind kind : ComponentKind.values()) {
                if (kind.type().equals(type)) {
                    return Optional.of(kind.key() + " (" + kind.label() + ")");
                }
                if (type instanceof java.lang.reflect.ParameterizedType p && p.getActualTypeArguments()[0].equals(kind.type())) {
                    boolean list = p.getRawType() == List.class;
                    return Optional.of((list ? kind.key() + "s (list of " : kind.key() + " (optional ") + kind.label() + ")");
                }
            }
            return Optional.empty();
        }
    }
}
