package org.scorepipe.core.scores;

/**
 * Whether the score kernels run in SIMD lanes: the Vector API module ({@code jdk.incubator.vector},
 * added with {@code --add-modules}) is in the JVM's boot layer and the system property
 * {@code scorepipe.simd} is not {@code false}. Every SIMD kernel has a plain twin that computes the
 * same bits, so this changes speed only. The classes that use the Vector API are loaded only when
 * this is true.
 */
final class Simd {
    static final boolean ENABLED = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("scorepipe.simd"));

    private Simd() {
    }
}
