package io.streambert.gpu.acceptance;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.random.RandomCheckpoint;
import io.streambert.engine.random.RandomModelSize;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.TimedDevice;
import io.streambert.gpu.encoder.GpuBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Per-kernel device time of one forward pass (after a warm-up pass) of a random base-size model on
 * a batch of mixed lengths, from the device's marks (CUDA events on a GPU): milliseconds and launch
 * count per kernel and GEMM shape.
 */
final class ForwardKernelTimes {
    private ForwardKernelTimes() {}

    static Object run(Device device) throws Exception {
        Path dir = Files.createTempDirectory("streambert-base-");
        RandomCheckpoint.write(dir, RandomModelSize.BASE, 2, 7);
        TimedDevice timed = new TimedDevice(device);
        try (Engine e = GpuBackend.open(dir, EncoderOptions.defaults(), timed)) {
            Random rnd = new Random(3);
            List<int[]> batch = new ArrayList<>();
            int tokens = 0;
            while (tokens < 8192) {
                int len = 16 + rnd.nextInt(500);
                int[] ids = new int[len];
                for (int i = 0; i < len; i++) ids[i] = 5 + rnd.nextInt(1000);
                batch.add(ids);
                tokens += len;
            }
            e.encode(batch);
            timed.drain();
            long t0 = System.nanoTime();
            e.encode(batch);
            double wall = (System.nanoTime() - t0) / 1e6;
            Map<String, double[]> times = timed.drain();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sequences", batch.size());
            out.put("tokens", tokens);
            out.put("wall_ms", wall);
            double sum = 0;
            Map<String, Object> per = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> t : times.entrySet()) {
                per.put(
                        t.getKey(),
                        Map.of("ms", t.getValue()[0], "launches", (int) t.getValue()[1]));
                sum += t.getValue()[0];
                System.out.printf(
                        "   %-70s %9.3f ms  %4d launches%n",
                        t.getKey(), t.getValue()[0], (int) t.getValue()[1]);
            }
            out.put("device_ms_sum", sum);
            out.put("per_kernel", per);
            System.out.printf(
                    "   forward of %d tokens: %.2f ms wall, %.2f ms summed device time%n",
                    tokens, wall, sum);
            return out;
        }
    }
}
