package org.scorepipe.core.paths;

/**
 * The linear schedule {@code beta(t) = betaMin + t (betaMax - betaMin)} and its integral
 * {@code B(t) = int_0^t beta = betaMin t + (betaMax - betaMin) t^2 / 2}, shared by the VP and
 * sub-VP paths so that both compute the same {@code alpha_t = exp(-B(t) / 2)} to the last bit.
 */
record LinearBeta(double betaMin, double betaSlope) {

    /**
     * The schedule from {@code beta(0) = betaMin} to {@code beta(1) = betaMax}. A constant schedule
     * ({@code betaMin = betaMax}) is a time-rescaled Ornstein-Uhlenbeck path, so it is allowed.
     */
    static LinearBeta between(double betaMin, double betaMax) {
        if (betaMax < betaMin) {
            throw new IllegalArgumentException("beta-max = " + betaMax + " is below beta-min = " + betaMin
                    + "; give beta-min <= beta-max");
        }
        return new LinearBeta(betaMin, betaMax - betaMin);
    }

    /** Checks one end of the schedule, {@code beta-min} or {@code beta-max}, named {@code key} in the config. */
    static void requireRate(String key, double beta) {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException(key + " must be a finite number > 0, got " + beta);
        }
    }

    /** {@code beta(t)}. */
    double at(double t) {
        return betaMin + t * betaSlope;
    }

    /** {@code B(t) = int_0^t beta(s) ds}. */
    double integral(double t) {
        return t * (betaMin + 0.5 * t * betaSlope);
    }
}
