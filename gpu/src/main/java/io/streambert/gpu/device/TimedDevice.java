package io.streambert.gpu.device;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A device that times every launch and every GEMM with the inner device's marks (CUDA events on a
 * GPU): for the acceptance run's per-kernel times of one forward pass. Each launch is bracketed by
 * two marks, so on a GPU the figures include no host time but do serialise nothing that the default
 * stream did not serialise already. Everything else, the upload stream's copies included, is the
 * inner device's and untimed.
 */
public final class TimedDevice extends ForwardingDevice {
    private final List<Object[]> spans = new ArrayList<>(); // {name, from, to}

    public TimedDevice(Device inner) {
        super(inner);
    }

    /** {@code gemm} with each product timed under the name "gemm: " + its description. */
    public Gemm timed(Gemm gemm) {
        return new Gemm() {
            @Override
            public void run(
                    DeviceBuffer a,
                    DeviceBuffer w,
                    DeviceBuffer bias,
                    DeviceBuffer c,
                    Output output,
                    int rows,
                    int out,
                    int k) {
                Object t0 = inner().mark();
                gemm.run(a, w, bias, c, output, rows, out, k);
                spans.add(
                        new Object[] {
                            "gemm " + rows + "x" + out + "x" + k + " (" + gemm + ")",
                            t0,
                            inner().mark()
                        });
            }

            @Override
            public void close() {
                gemm.close();
            }

            @Override
            public String toString() {
                return "timed " + gemm;
            }
        };
    }

    /**
     * Total milliseconds per kernel (or GEMM shape) since the last call, with launch counts;
     * resets.
     */
    public synchronized Map<String, double[]> drain() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Object[] s : spans) {
            double[] v = out.computeIfAbsent((String) s[0], k -> new double[2]);
            v[0] += inner().elapsedMs(s[1], s[2]);
            v[1] += 1;
        }
        spans.clear();
        return out;
    }

    @Override
    public synchronized void launch(
            String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, Object... args) {
        Object t0 = inner().mark();
        inner().launch(kernel, grid, block, dynamicSharedBytes, args);
        spans.add(new Object[] {kernel, t0, inner().mark()});
    }
}
