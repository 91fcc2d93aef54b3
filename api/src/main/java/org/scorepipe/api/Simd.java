package org.scorepipe.api;

/**
 * The one switch of every SIMD kernel, the run's noise and the plugins' alike: they run in SIMD
 * lanes when the Vector API module ({@code jdk.incubator.vector}, added with {@code --add-modules})
 * is in the JVM's boot layer and the system property {@code scorepipe.simd} is not {@code false}.
 * Every SIMD kernel has a plain twin that computes the same bits, so the switch changes speed only;
 * a class that uses the Vector API must be loaded only when {@link #ENABLED} is true.
 */
public final class Simd {
    /** Whether SIMD kernels run: read once, when this class is first used. */
    public static final boolean ENABLED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("scorepipe.simd"));

    private Simd() {
    }
}
