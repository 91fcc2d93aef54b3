package org.scorepipe.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.sql.SparkSession;
import org.scorepipe.runtime.ScorepipeException;
import org.scorepipe.runtime.assembly.Pipeline;
import org.scorepipe.runtime.checkpoint.CheckpointFolder;
import org.scorepipe.runtime.run.Runner;
import org.scorepipe.runtime.run.RunnerFactory;

/**
 * {@code runner: {type: spark}} / {@code --runner spark}: builds the {@link SparkConf} from the
 * pipeline's runner settings, the {@code --conf} options and whatever {@code spark-submit} set,
 * checks what can be checked before a run directory exists (the master answers, the pipeline
 * has no per-executor state the runner cannot carry), and starts the {@link SparkRunner}.
 */
public final class SparkRunnerFactory implements RunnerFactory {
    /** How long a {@code spark://} master may take to accept a connection before the run gives up. */
    private static final int CONNECT_TIMEOUT_MILLIS = 5000;

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public Runner create(Pipeline pipeline, String resolvedYaml, Map<String, String> options) {
        return create(pipeline, resolvedYaml, options, Optional.empty());
    }

    @Override
    public Runner create(Pipeline pipeline, String resolvedYaml, Map<String, String> options, Optional<Path> pluginFolder) {
        quietSparkLogs();
        SparkConf conf = conf(pipeline.runner(), options);
        String master = conf.get("spark.master");
        if (master.startsWith("spark://")) {
            requireReachable(master);
        }
        return new SparkRunner(pipeline, resolvedYaml, conf, pluginFolder);
    }

    @Override
    public Optional<CheckpointFolder> checkpointFolder(String uri, Map<String, String> options) {
        try {
            return Optional.of(new HadoopCheckpointFolder(uri, hadoopConf(options)));
        } catch (IOException | IllegalArgumentException e) {
            throw new ScorepipeException("checkpoint.dir: cannot reach " + uri + " through Hadoop: " + e.getMessage()
                    + " (is the file system's connector on the class path, e.g. hadoop-aws for s3a://?)");
        }
    }

    /**
     * The Hadoop settings of the Spark session running in this JVM (the runner's, or one its host
     * started), else those of the class path and the {@code spark.hadoop.*} options.
     */
    static Configuration hadoopConf(Map<String, String> options) {
        scala.Option<SparkSession> session = SparkSession.getActiveSession();
        if (session.isEmpty()) {
            session = SparkSession.getDefaultSession();
        }
        if (session.isDefined()) {
            return session.get().sparkContext().hadoopConfiguration();
        }
        SparkConf conf = new SparkConf();
        options.forEach(conf::set);
        return SparkHadoopUtil.get().newConfiguration(conf);
    }

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    static SparkConf conf(Pipeline.RunnerSettings settings, Map<String, String> options) {
        SparkConf conf = new SparkConf(); // picks up the spark.* system properties spark-submit sets
        if (!settings.master().isEmpty()) {
            conf.setMaster(settings.master());
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.setIfMissing("spark.app.name", "scorepipe");
        options.forEach(conf::set);
        if (settings.master().isEmpty() && options.containsKey("spark.master")) {
            conf.setMaster(options.get("spark.master"));
        }
        // Executors run the SIMD kernels when the driver does (the bits are the same either way).
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            String executorOptions = conf.get("spark.executor.extraJavaOptions", "");
            if (!executorOptions.contains(VECTOR_MODULE)) {
                conf.set("spark.executor.extraJavaOptions",
                        (executorOptions + " --add-modules " + VECTOR_MODULE).strip());
            }
        }
        // Our own jar goes to the executors unless spark-submit ships it already (its primary resource).
        String ownJar = ownJar();
        if (ownJar != null && !conf.get("spark.master").startsWith("local[") && !conf.get("spark.master").equals("local")) {
            String jars = conf.get("spark.jars", "");
            if (!jars.contains(Path.of(ownJar).getFileName().toString())) {
                conf.set("spark.jars", jars.isEmpty() ? ownJar : jars + "," + ownJar);
            }
        }
        return conf;
    }

    /** The jar this class came from, if it came from a jar. */
    private static String ownJar() {
        try {
            URI location = SparkRunnerFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI();
            Path path = Path.of(location);
            return path.getFileName().toString().endsWith(".jar") ? path.toString() : null;
        } catch (Exception e) {
            return null;
        }
    }

    /**
     * An unreachable standalone master would otherwise make Spark retry its registration for a
     * minute and leave the run waiting for executors that never come: fail at once, naming it.
     */
    private static void requireReachable(String master) {
        List<String> tried = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            int port;
            try {
                port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ScorepipeException("--master " + master + ": '" + hostPort + "' is not host:port");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
                return;
            } catch (IOException e) {
                tried.add(hostPort + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw new ScorepipeException("cannot reach the Spark master " + master + ": " + String.join(", ", tried)
                + ". Check --master (host and port of the standalone master, 7077 by default) and that the master is running;"
                + " nothing was run and no run directory was made");
    }

    /** Spark's INFO lines would bury the run's own; the user can raise them again in log4j2.xml. */
    private static void quietSparkLogs() {
        for (String logger : List.of("org.apache.spark", "org.sparkproject", "org.apache.hadoop", "org.apache.parquet",
                "org.apache.spark.sql")) {
            Configurator.setLevel(logger, Level.WARN);
        }
    }
}
