package io.streambert.loadtest;

import java.util.Arrays;

/** Collected latencies (milliseconds) and their nearest-rank percentiles. Not thread-safe. */
final class LatencyStats {
    private double[] values = new double[1024];
    private int size;

    void add(double millis) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = millis;
    }

    int count() {
        return size;
    }

    /**
     * Nearest-rank percentile: the smallest recorded value such that at least p% of the values are
     * less than or equal to it. p in (0, 100]. NaN when nothing was recorded.
     */
    double percentile(double p) {
        if (!(p > 0 && p <= 100))
            throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
        if (size == 0) return Double.NaN;
        double[] sorted = Arrays.copyOf(values, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(rank, 1) - 1];
    }

    double max() {
        return size == 0 ? Double.NaN : percentile(100);
    }

    double mean() {
        if (size == 0) return Double.NaN;
        double sum = 0;
        for (int i = 0; i < size; i++) sum += values[i];
        return sum / size;
    }
}
