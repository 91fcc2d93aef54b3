import org.scorepipe.runtime.noise.Philox4x64;
/**
 * Prints Philox4x64-10 outputs of the Java runtime's class, to compare with reference.py and the C kernel:
 * <pre>
 *   CP=~/.m2/repository/org/apache/commons/commons-rng-core/1.7/commons-rng-core-1.7.jar:~/.m2/repository/org/apache/commons/commons-rng-client-api/1.7/commons-rng-client-api-1.7.jar
 *   javac -d /tmp/philox -cp $CP runtime/src/main/java/org/scorepipe/runtime/noise/Philox4x64.java benchmarks/c/PhiloxCrossCheck.java
 *   java -cp /tmp/philox:$CP PhiloxCrossCheck
 * </pre>
 * Expected: the line of reference.py for particle 12345 (before the arrow), then Random123's third known answer.
 */
public class PhiloxCrossCheck {
    public static void main(String[] a) {
        Philox4x64 p = new Philox4x64();
        // The class returns Philox of the counter incremented once; (c0, c1) = (-1, particle - 1)
        // increments, with the carry, to (0, particle): Philox of the counter (0, 12345, 3, 1 << 32 | 2).
        p.reset(7, 0, -1L, 12345 - 1, 3, (1L << 32) | 2);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.append(String.format("%016x ", p.nextLong()));
        System.out.println(sb);
        p.reset(0x452821e638d01377L, 0xbe5466cf34e90c6cL, 0x243f6a8885a308d3L - 1, 0x13198a2e03707344L, 0xa4093822299f31d0L, 0x082efa98ec4e6c89L);
        sb = new StringBuilder();
        for (int i = 0; i < 4; i++) sb.append(String.format("%016x ", p.nextLong()));
        System.out.println(sb);
    }
}
