package org.scorepipe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.scorepipe.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code scorepipe report RUN_DIR}: (re)builds a run directory's plots, metrics.csv and report.html. */
@Command(name = "report",
        description = "Rebuild a run directory's plots/*.png, metrics.csv and report.html from its config.yaml,"
                + " metrics.json and samples.npy.")
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    ScorepipeCommand parent;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "The run directory, e.g. runs/quickstart-20250101T000000Z.")
    Path runDirectory;

    @Override
    public Integer call() {
        Path html = Report.write(runDirectory, parent.scorepipe().registry());
        var out = parent.spec.commandLine().getOut();
        out.printf("report: %s%n", html);
        out.flush();
        return 0;
    }
}
