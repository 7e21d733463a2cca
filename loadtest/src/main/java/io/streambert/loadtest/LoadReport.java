package io.streambert.loadtest;

import java.io.PrintStream;
import java.util.Locale;

/** What a run measured, and how it prints. All times in milliseconds. */
record LoadReport(
        long sent,
        long received,
        long duplicates,
        long undecodable,
        double sendSeconds,
        double totalSeconds,
        LatencyStats endToEnd,
        LatencyStats serviceSide,
        LatencyStats inference) {

    long missing() {
        return sent - (received - duplicates);
    }

    /** Outputs per second over the whole run (first send to last result). */
    double throughput() {
        return totalSeconds > 0 ? (received - duplicates) / totalSeconds : Double.NaN;
    }

    void print(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "sent %d events in %.2f s (%.1f/s offered)%n",
                sent,
                sendSeconds,
                sendSeconds > 0 ? sent / sendSeconds : Double.NaN);
        out.printf(
                Locale.ROOT,
                "received %d moderation results in %.2f s: %.1f results/s; missing %d, duplicates %d, undecodable %d%n",
                received - duplicates,
                totalSeconds,
                throughput(),
                missing(),
                duplicates,
                undecodable);
        line(out, "end-to-end (send -> result consumed)", endToEnd);
        line(out, "service (send -> processed_time)    ", serviceSide);
        line(out, "inference batch wall time           ", inference);
    }

    private static void line(PrintStream out, String name, LatencyStats s) {
        if (s.count() == 0) {
            out.println(name + ": no samples");
            return;
        }
        out.printf(
                Locale.ROOT,
                "%s: p50 %.1f  p90 %.1f  p99 %.1f  max %.1f  mean %.1f ms  (n=%d)%n",
                name,
                s.percentile(50),
                s.percentile(90),
                s.percentile(99),
                s.max(),
                s.mean(),
                s.count());
    }
}
