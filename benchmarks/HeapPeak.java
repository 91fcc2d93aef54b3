import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;

/**
 * Runs a main class and prints, as the JVM exits, the sum of the heap pools' peak usage: an upper
 * bound of the heap's high-water mark (each pool's peak, reached at its own moment, summed).
 * A single-file program: {@code java -cp CLASSPATH benchmarks/HeapPeak.java MAIN ARGS...}.
 */
public class HeapPeak {
    public static void main(String[] args) throws Throwable {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long sum = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    sum += pool.getPeakUsage().getUsed();
                }
            }
            System.err.printf("heap-peak-mib %.0f%n", sum / 1048576.0);
        }));
        Class.forName(args[0]).getMethod("main", String[].class).invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
