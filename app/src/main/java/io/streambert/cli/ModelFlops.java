package io.streambert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Floating-point operations of one ModernBERT forward pass over packed sequences, counted from
 * config.json: the matrix products (2 per multiply-add) plus the attention score and value products
 * over the visited keys. Norms, RoPE, GELU and softmax are left out (they are a few percent), so
 * GFLOP/s figures are slight underestimates.
 */
record ModelFlops(int hidden, int intermediate, int layers, int globalEvery, int halfWindow) {

    static ModelFlops of(JsonNode cfg) {
        int h = cfg.path("hidden_size").asInt();
        int every = cfg.path("global_attn_every_n_layers").asInt(cfg.has("layer_types") ? 0 : 1);
        int window = cfg.path("local_attention").asInt(cfg.path("sliding_window").asInt(-1));
        return new ModelFlops(
                h,
                cfg.path("intermediate_size").asInt(),
                cfg.path("num_hidden_layers").asInt(),
                Math.max(1, every),
                window < 0 ? -1 : window / 2);
    }

    /** Matrix-product FLOPs (linear layers only). */
    double linear(List<int[]> seqs) {
        long tokens = 0;
        for (int[] s : seqs) tokens += s.length;
        double perToken =
                2.0
                        * ((double) hidden * 3 * hidden
                                + (double) hidden * hidden
                                + (double) hidden * 2 * intermediate
                                + (double) intermediate * hidden);
        return perToken * tokens * layers;
    }

    /**
     * Attention FLOPs: 2 products (q.k and p.v) x 2 FLOPs x hidden per visited (query, key) pair.
     */
    double attention(List<int[]> seqs) {
        double total = 0;
        for (int layer = 0; layer < layers; layer++) {
            boolean global = layer % globalEvery == 0 || halfWindow < 0;
            for (int[] s : seqs) total += 4.0 * hidden * pairs(s.length, global ? -1 : halfWindow);
        }
        return total;
    }

    static double pairs(long n, int halfWindow) {
        if (halfWindow < 0 || halfWindow >= n) return (double) n * n;
        long w = halfWindow;
        // Each query sees 2w+1 keys minus what falls off either end: n(2w+1) - w(w+1).
        return (double) n * (2 * w + 1) - (double) w * (w + 1);
    }
}
