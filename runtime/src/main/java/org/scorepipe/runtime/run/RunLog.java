package org.scorepipe.runtime.run;

import java.nio.file.Path;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.scorepipe.runtime.ScorepipeException;

/**
 * Sends the log to the run directory's {@code run.log} while a run lasts. Attached in code once
 * the directory exists: a file appender configured with a system property would open its file
 * before the property was set if anything logged earlier.
 */
public final class RunLog implements AutoCloseable {
    private static final String NAME = "scorepipe-run-log";
    private final LoggerContext context;
    private final FileAppender appender;

    private RunLog(LoggerContext context, FileAppender appender) {
        this.context = context;
        this.appender = appender;
    }

    /** Starts copying every log event of level INFO and above to {@code file}. */
    public static RunLog attach(Path file) {
        // Log4j reports a file it cannot open with a trace of its own and logs nowhere: say it first, once.
        try (var out = java.nio.file.Files.newOutputStream(file, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND)) {
            // opened for appending: writable
        } catch (java.io.IOException e) {
            String why = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
            throw new ScorepipeException("cannot write " + file + " (" + why + "): the run directory must be writable;"
                    + " check its permissions and free space");
        }
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        FileAppender appender = FileAppender.newBuilder()
                .setName(NAME)
                .withFileName(file.toString())
                .withAppend(true)
                .setLayout(PatternLayout.newBuilder().withConfiguration(config)
                        .withPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z'}{UTC} %-5level %c{1} - %msg%n").build())
                .setConfiguration(config)
                .build();
        appender.start();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, Level.INFO, null);
        context.updateLoggers();
        return new RunLog(context, appender);
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(NAME);
        context.updateLoggers();
        appender.stop();
    }
}
