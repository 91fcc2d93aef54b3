package org.scorepipe.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.net.URL;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Starts DJL's PyTorch engine offline, from the natives that Maven artifacts carry.
 *
 * <p>By default DJL downloads libtorch into {@code ~/.djl.ai} the first time it runs, and on EC2
 * it reports telemetry. scorepipe does neither: it sets {@code ai.djl.offline=true} (every URL DJL
 * would open then fails with "Offline mode is enabled"), refuses a {@code DJL_OFFLINE} environment
 * variable that says otherwise, and before DJL looks for libtorch checks that a library is there:
 * {@code PYTORCH_LIBRARY_PATH} (a folder holding {@code libtorch.so}), or
 * {@code ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64} on the class path
 * ({@code native/lib/pytorch.properties}; DJL unpacks it into its cache folder,
 * {@code DJL_CACHE_DIR} or {@code ~/.djl.ai}, once) together with {@code pytorch-jni}
 * ({@code jnilib/pytorch.properties}). The CLI keeps the 112 MB natives jar beside
 * {@code scorepipe.jar} in {@code lib/}, named in the jar's {@code Class-Path}.
 */
public final class DjlRuntime {
    /** The natives' Maven coordinates, for messages. */
    static final String NATIVES = "ai.djl.pytorch:pytorch-native-cpu:2.7.1:linux-x86_64";
    static final String JNI = "ai.djl.pytorch:pytorch-jni:2.7.1-0.35.1";

    private static Engine engine;

    private DjlRuntime() {
    }

    /**
     * The PyTorch engine, started offline on first use; {@code threads > 0} sets libtorch's
     * intra-op threads (one pool for the whole process).
     *
     * @throws IllegalArgumentException if the natives are missing or do not load, saying what to do
     */
    public static synchronized Engine pytorch(int threads) {
        if (engine == null) {
            engine = start(threads);
        } else if (threads > 0 && JniUtils.getNumThreads() != threads) {
            JniUtils.setNumThreads(threads);
        }
        return engine;
    }

    private static Engine start(int threads) {
        String env = System.getenv("DJL_OFFLINE");
        if (env != null && !Boolean.parseBoolean(env)) {
            throw new IllegalArgumentException("the environment sets DJL_OFFLINE=" + env + ", which would let DJL download"
                    + " PyTorch at run time; scorepipe uses only the natives that come with it: unset DJL_OFFLINE");
        }
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        }
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        quietenLogging();
        ClassLoader loader = DjlRuntime.class.getClassLoader();
        String override = System.getenv("PYTORCH_LIBRARY_PATH");
        if (override == null) {
            override = System.getProperty("PYTORCH_LIBRARY_PATH");
        }
        if (override == null && loader.getResource("native/lib/pytorch.properties") == null) {
            throw new IllegalArgumentException("the PyTorch natives are missing: DJL needs " + NATIVES + " on the class path"
                    + where() + ", or PYTORCH_LIBRARY_PATH naming a folder with libtorch." + suffix() + " This machine is "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "; nothing is downloaded at run time.");
        }
        URL jni = loader.getResource("jnilib/pytorch.properties");
        if (jni == null) {
            throw new IllegalArgumentException("DJL's PyTorch JNI library is missing: put " + JNI + " on the class path"
                    + where() + "; nothing is downloaded at run time.");
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // DJL finds the natives through the context class loader; make it the one that holds them.
        thread.setContextClassLoader(loader);
        try {
            Engine e = Engine.getEngine("PyTorch");
            if (threads > 0) {
                JniUtils.setNumThreads(threads);
            }
            return e;
        } catch (RuntimeException | UnsatisfiedLinkError | ExceptionInInitializerError e) {
            Throwable cause = e;
            while (cause.getCause() != null && cause.getCause() != cause) {
                cause = cause.getCause();
            }
            throw new IllegalArgumentException("DJL's PyTorch engine does not start (natives " + NATIVES + "): " + cause
                    + suffix(), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** Where the CLI expects the natives. */
    private static String where() {
        try {
            Path jar = Path.of(DjlRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.toString().endsWith(".jar")) {
                return " (the command line expects it at " + jar.resolveSibling("lib").resolve("pytorch-native-cpu-2.7.1-linux-x86_64.jar")
                        + "; `mvn -pl cli -am package` puts it there)";
            }
        } catch (Exception e) {
            // no code source to point at: the generic advice stands
        }
        return "";
    }

    private static String suffix() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        return os.startsWith("linux") && (arch.equals("amd64") || arch.equals("x86_64")) ? ""
                : " The natives shipped with scorepipe are for Linux x86-64 only; on this platform use the onnx provider.";
    }

    /** DJL reports every extraction and thread count at info level; keep its errors only (it also warns that this CPU-only machine has no CUDA driver). */
    private static void quietenLogging() {
        try {
            org.apache.logging.log4j.core.config.Configurator.setLevel("ai.djl", org.apache.logging.log4j.Level.ERROR);
        } catch (NoClassDefFoundError | RuntimeException e) {
            // Log4j's core is not there (a plugin folder of its own): DJL logs as SLF4J finds fit.
        }
    }
}
