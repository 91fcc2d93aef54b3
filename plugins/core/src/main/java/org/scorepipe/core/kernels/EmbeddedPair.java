package org.scorepipe.core.kernels;

/**
 * An explicit embedded Runge-Kutta pair: nodes {@code c}, matrix {@code a}, the propagated
 * solution's weights {@code b} and the error weights {@code e = b - b^}, where {@code b^} are the
 * weights of the embedded solution of order {@code order - 1}. Both pairs here are
 * first-same-as-last: their last stage is evaluated at the propagated solution, so it is the next
 * step's first stage and an accepted step costs {@code stages - 1} evaluations.
 *
 * @param name the key's value, e.g. {@code dopri5}
 * @param order the order of the propagated solution
 */
public record EmbeddedPair(String name, int order, double[] c, double[][] a, double[] b, double[] e) {

    /**
     * Dormand and Prince's 5(4) pair (J. Comput. Appl. Math. 6, 1980), the tableau of Hairer,
     * Norsett and Wanner, "Solving ODEs I", table II.5.2: fifth order propagated, seven stages.
     */
    public static final EmbeddedPair DOPRI5 = new EmbeddedPair("dopri5", 5,
            new double[] {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1},
            new double[][] {
                {},
                {1.0 / 5},
                {3.0 / 40, 9.0 / 40},
                {44.0 / 45, -56.0 / 15, 32.0 / 9},
                {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
                {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
                {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}},
            new double[] {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0},
            new double[] {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40});

    /**
     * Bogacki and Shampine's 3(2) pair (Appl. Math. Lett. 2, 1989): third order propagated, four
     * stages; cheaper per step where the tolerance is loose.
     */
    public static final EmbeddedPair BOSH3 = new EmbeddedPair("bosh3", 3,
            new double[] {0, 1.0 / 2, 3.0 / 4, 1},
            new double[][] {
                {},
                {1.0 / 2},
                {0, 3.0 / 4},
                {2.0 / 9, 1.0 / 3, 4.0 / 9}},
            new double[] {2.0 / 9, 1.0 / 3, 4.0 / 9, 0},
            new double[] {2.0 / 9 - 7.0 / 24, 1.0 / 3 - 1.0 / 4, 4.0 / 9 - 1.0 / 3, -1.0 / 8});

    /** Number of stages. */
    public int stages() {
        return c.length;
    }
}
