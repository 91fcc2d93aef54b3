package org.scorepipe.it.faults;

/**
 * Spark's {@code TaskContext}, seen from a plugin: a plugin's class loader shows it only the
 * api and the JDK, so it reaches Spark through the task thread's context class loader.
 */
final class SparkTasks {
    private SparkTasks() {
    }

    /** {partition id, attempt number, task attempt id} of the Spark task running on this thread, or null outside one. */
    static long[] current() {
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> type = Class.forName("org.apache.spark.TaskContext", false, loader);
            Object context = type.getMethod("get").invoke(null);
            if (context == null) {
                return null;
            }
            return new long[] {((Number) type.getMethod("partitionId").invoke(context)).longValue(),
                ((Number) type.getMethod("attemptNumber").invoke(context)).longValue(),
                ((Number) type.getMethod("taskAttemptId").invoke(context)).longValue()};
        } catch (ClassNotFoundException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
