package io.streambert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.Encoder;
import io.streambert.engine.Encoders;
import io.streambert.engine.cpu.CpuParallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streambert bench}: random ids of the given lengths, batched by token budget (in file
 * order, or sorted by length with --sort), one warm-up pass, then timed passes; prints one JSON
 * line with tokens/s and sequences/s.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Time the encoder on a workload of sequence lengths.")
public final class BenchCommand implements Callable<Integer> {

    @Mixin EngineOptions engine;

    @Option(
            names = "--lengths",
            required = true,
            description = "File with one sequence length per line (tokens incl. [CLS]/[SEP]).")
    Path lengths;

    @Option(
            names = "--sort",
            description =
                    "Batch sequences sorted by length (the order does not change the work of an unpadded engine, only batch shapes).")
    boolean sort;

    @Option(
            names = "--repeats",
            defaultValue = "3",
            description = "Timed passes over the workload (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--warmup",
            defaultValue = "1",
            description = "Untimed passes first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Override
    public Integer call() throws Exception {
        engine.check();
        if (repeats < 1)
            throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        ObjectMapper json = new ObjectMapper();
        Path cfgFile = engine.model.resolve("config.json");
        if (!Files.isRegularFile(cfgFile))
            throw new IllegalArgumentException(engine.model + ": no config.json");
        JsonNode cfg = json.readTree(cfgFile.toFile());
        int vocab = cfg.path("vocab_size").asInt(0);
        if (vocab < 1) throw new IllegalArgumentException(cfgFile + ": vocab_size missing");
        try (Encoder encoder = Encoders.open(engine.model, engine.encoderOptions())) {
            List<Integer> lens =
                    new ArrayList<>(BenchWorkload.readLengths(lengths, encoder.info().maxTokens()));
            if (sort) lens.sort(Comparator.naturalOrder());
            List<int[]> seqs = BenchWorkload.randomIds(lens, vocab, 0);
            List<List<int[]>> batches = TokenBatches.split(seqs, s -> s.length, engine.batchTokens);
            long tokens = 0;
            for (int[] s : seqs) tokens += s.length;

            long w0 = System.nanoTime();
            for (int i = 0; i < warmup; i++) runAll(encoder, batches);
            double warm = (System.nanoTime() - w0) / 1e9;
            double best = Double.MAX_VALUE, total = 0;
            long cpu0 = processCpuNanos();
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                runAll(encoder, batches);
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.min(best, s);
                total += s;
            }
            double mean = total / repeats;
            long cpu1 = processCpuNanos();
            ModelFlops flops = ModelFlops.of(cfg);
            double gflop = (flops.linear(seqs) + flops.attention(seqs)) / 1e9;

            ObjectNode o = json.createObjectNode();
            o.put("engine", "streambert");
            o.put("device", encoder.info().device());
            io.streambert.engine.cpu.Precision p =
                    io.streambert.engine.cpu.CpuBackend.precisionOf(encoder);
            if (p != null) o.put("precision", p.label());
            o.put("model", encoder.info().name());
            o.put("workload", lengths.toString());
            o.put("sorted", sort);
            o.put("sequences", seqs.size());
            o.put("tokens", tokens);
            o.put("batch_tokens", engine.batchTokens);
            o.put("batches", batches.size());
            o.put("threads", CpuParallel.threads());
            o.put("warmup_seconds", round(warm));
            o.put("repeats", repeats);
            o.put("seconds", round(mean));
            o.put("best_seconds", round(best));
            o.put("tokens_per_s", Math.round(tokens / mean * 10) / 10.0);
            o.put("sequences_per_s", Math.round(seqs.size() / mean * 10) / 10.0);
            o.put("model_gflop", Math.round(gflop * 10) / 10.0);
            o.put("gflops", Math.round(gflop / mean * 10) / 10.0);
            // CPU this process got while timed (all its threads / wall time): on a shared machine,
            // how much of it we had
            if (cpu0 >= 0 && cpu1 >= 0)
                o.put("own_cores", Math.round((cpu1 - cpu0) / 1e9 / total * 100) / 100.0);
            System.out.println(json.writeValueAsString(o));
            return 0;
        }
    }

    private static void runAll(Encoder encoder, List<List<int[]>> batches) {
        for (List<int[]> b : batches) encoder.encode(b);
    }

    /** CPU time of this process so far, or -1 where the JVM cannot say. */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                        instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
    }

    private static double round(double s) {
        return Math.round(s * 1000) / 1000.0;
    }
}
