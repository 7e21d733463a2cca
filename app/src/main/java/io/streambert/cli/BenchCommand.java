package io.streambert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.cpu.CpuParallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streambert bench}: random ids of the given lengths, batched by token budget (in file order, or sorted by
 * length with --sort), one warm-up pass, then timed passes; prints one JSON line with tokens/s and sequences/s.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Time the encoder on a workload of sequence lengths.")
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Model directory (Hugging Face layout).")
    Path model;

    @Option(names = "--lengths", required = true, description = "File with one sequence length per line (tokens incl. [CLS]/[SEP]).")
    Path lengths;

    @Option(names = "--device", defaultValue = "auto", description = "auto | cpu | cuda | emulated (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--batch-tokens", defaultValue = "" + TokenBatches.DEFAULT_BUDGET, description = "Token budget per batch (default: ${DEFAULT-VALUE}).")
    int batchTokens;

    @Option(names = "--sort", description = "Batch sequences sorted by length (the order does not change the work of an unpadded engine, only batch shapes).")
    boolean sort;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed passes over the workload (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warmup", defaultValue = "1", description = "Untimed passes first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores.")
    int threads;

    @Override
    public Integer call() throws Exception {
        if (batchTokens < 1) throw new IllegalArgumentException("--batch-tokens must be at least 1, got " + batchTokens);
        if (repeats < 1) throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
        ObjectMapper json = new ObjectMapper();
        Path cfgFile = model.resolve("config.json");
        if (!Files.isRegularFile(cfgFile)) throw new IllegalArgumentException(model + ": no config.json");
        JsonNode cfg = json.readTree(cfgFile.toFile());
        int vocab = cfg.path("vocab_size").asInt(0);
        if (vocab < 1) throw new IllegalArgumentException(cfgFile + ": vocab_size missing");
        CpuParallel.setThreads(threads);
        try (Encoder encoder = Encoders.open(model, EncoderOptions.defaults().withDevice(device).withThreads(threads))) {
            List<Integer> lens = new ArrayList<>(BenchWorkload.readLengths(lengths, encoder.info().maxTokens()));
            if (sort) lens.sort(Comparator.naturalOrder());
            List<int[]> seqs = BenchWorkload.randomIds(lens, vocab, 0);
            List<List<int[]>> batches = TokenBatches.split(seqs, s -> s.length, batchTokens);
            long tokens = 0;
            for (int[] s : seqs) tokens += s.length;

            long w0 = System.nanoTime();
            for (int i = 0; i < warmup; i++) runAll(encoder, batches);
            double warm = (System.nanoTime() - w0) / 1e9;
            double best = Double.MAX_VALUE, total = 0;
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                runAll(encoder, batches);
                double s = (System.nanoTime() - t0) / 1e9;
                best = Math.min(best, s);
                total += s;
            }
            double mean = total / repeats;
            ModelFlops flops = ModelFlops.of(cfg);
            double gflop = (flops.linear(seqs) + flops.attention(seqs)) / 1e9;

            ObjectNode o = json.createObjectNode();
            o.put("engine", "streambert");
            o.put("device", encoder.info().device());
            o.put("model", encoder.info().name());
            o.put("workload", lengths.toString());
            o.put("sorted", sort);
            o.put("sequences", seqs.size());
            o.put("tokens", tokens);
            o.put("batch_tokens", batchTokens);
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
            System.out.println(json.writeValueAsString(o));
            return 0;
        }
    }

    private static void runAll(Encoder encoder, List<List<int[]>> batches) {
        for (List<int[]> b : batches) encoder.encode(b);
    }

    private static double round(double s) { return Math.round(s * 1000) / 1000.0; }
}
