package io.streambert.gpu.acceptance;

import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What {@code bin/streambert bench} measures, in this JVM with the engine alone (the bundle carries
 * no CLI, no Kafka): the sequence lengths of a workload file (capped at the model's maximum),
 * random ids from a fixed seed, batches of at most 8192 tokens in file order, one untimed pass,
 * then {@code repeats} timed passes; tokens/s over their mean.
 */
final class EngineBench {
    private EngineBench() {}

    static Map<String, Object> run(Path model, Path lengthsFile, String device, int repeats)
            throws IOException {
        try (Encoder encoder = Encoders.open(model, EncoderOptions.defaults().withDevice(device))) {
            int max = encoder.info().maxTokens();
            List<int[]> seqs = new ArrayList<>();
            Random rnd = new Random(0);
            long tokens = 0;
            for (String line : Files.readAllLines(lengthsFile)) {
                if (line.isBlank()) continue;
                int len = Math.min(max, Math.max(2, Integer.parseInt(line.trim())));
                int[] ids = new int[len];
                ids[0] = 1;
                for (int i = 1; i < len - 1; i++) ids[i] = 5 + rnd.nextInt(1000);
                ids[len - 1] = 2;
                seqs.add(ids);
                tokens += len;
            }
            List<List<int[]>> batches = new ArrayList<>();
            List<int[]> cur = new ArrayList<>();
            int curTokens = 0;
            for (int[] s : seqs) {
                if (!cur.isEmpty() && curTokens + s.length > 8192) {
                    batches.add(cur);
                    cur = new ArrayList<>();
                    curTokens = 0;
                }
                cur.add(s);
                curTokens += s.length;
            }
            if (!cur.isEmpty()) batches.add(cur);
            long w0 = System.nanoTime();
            for (List<int[]> b : batches) encoder.encode(b);
            double warm = (System.nanoTime() - w0) / 1e9;
            double total = 0, best = Double.MAX_VALUE;
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                for (List<int[]> b : batches) encoder.encode(b);
                double s = (System.nanoTime() - t0) / 1e9;
                total += s;
                best = Math.min(best, s);
            }
            double mean = total / repeats;
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("device", encoder.info().device());
            o.put("workload", lengthsFile.getFileName().toString());
            o.put("sequences", seqs.size());
            o.put("tokens", tokens);
            o.put("batches", batches.size());
            o.put("warmup_seconds", warm);
            o.put("repeats", repeats);
            o.put("seconds", mean);
            o.put("best_seconds", best);
            o.put("tokens_per_s", tokens / mean);
            return o;
        }
    }
}
