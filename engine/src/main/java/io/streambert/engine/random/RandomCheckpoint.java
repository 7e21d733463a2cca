package io.streambert.engine.random;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.model.DType;
import io.streambert.engine.model.SafeTensorsWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.SplittableRandom;

/**
 * Writes a random-weight ModernBERT classification checkpoint in the Hugging Face layout:
 * config.json (released layout), model.safetensors (F32) and tokenizer.json (the shipped BPE
 * tokenizer, ids below 704).
 *
 * <p>Weight statistics follow the reference's {@code init_weights}: truncated normals (clipped at 2
 * sigma), std 0.5 for embeddings, 0.2 for Wqkv, 0.1 for Wi, 0.2/sqrt(2L) and 0.1/sqrt(2L) for the
 * output projections, norm weights 1 + 0.1 N(0,1), so activations stay in a sane range through
 * every layer and the outputs are not degenerate (not all one label, not all-equal embeddings).
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    /** Tokenizer special ids (from the shipped tokenizer.json). */
    static final int UNK = 656, CLS = 657, SEP = 658, PAD = 659;

    public static void write(Path dir, RandomModelSize size, int labels, long seed)
            throws IOException {
        if (labels < 1)
            throw new IllegalArgumentException("--labels must be at least 1, got " + labels);
        Files.createDirectories(dir);
        writeConfig(dir.resolve("config.json"), size, labels);
        weights(size, labels, seed).write(dir.resolve("model.safetensors"));
        try (InputStream tok = RandomCheckpoint.class.getResourceAsStream("tokenizer.json")) {
            if (tok == null) throw new IOException("tokenizer.json resource missing from the jar");
            Files.copy(tok, dir.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void writeConfig(Path file, RandomModelSize s, int labels) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode c = json.createObjectNode();
        ArrayNode arch = c.putArray("architectures");
        arch.add("ModernBertForSequenceClassification");
        c.put("model_type", "modernbert");
        c.put("vocab_size", s.vocab);
        c.put("hidden_size", s.hidden);
        c.put("intermediate_size", s.intermediate);
        c.put("num_hidden_layers", s.layers);
        c.put("num_attention_heads", s.heads);
        c.put("global_attn_every_n_layers", 3);
        c.put("local_attention", s.localAttention);
        c.put("global_rope_theta", 160000.0);
        c.put("local_rope_theta", 10000.0);
        c.put("max_position_embeddings", s.maxPositions);
        c.put("norm_eps", 1e-5);
        c.put("norm_bias", false);
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("classifier_bias", false);
        c.put("hidden_activation", "gelu");
        c.put("classifier_activation", "gelu");
        c.put("classifier_pooling", "mean");
        c.put("pad_token_id", PAD);
        c.put("cls_token_id", CLS);
        c.put("sep_token_id", SEP);
        c.put("bos_token_id", CLS);
        c.put("eos_token_id", SEP);
        c.put("initializer_range", 0.02);
        c.put("initializer_cutoff_factor", 2.0);
        c.put("tie_word_embeddings", true);
        c.put("torch_dtype", "float32");
        c.put("_name_or_path", "streambert-random-" + s.name().toLowerCase(java.util.Locale.ROOT));
        ObjectNode id2label = c.putObject("id2label");
        ObjectNode label2id = c.putObject("label2id");
        for (int i = 0; i < labels; i++) {
            id2label.put(Integer.toString(i), "LABEL_" + i);
            label2id.put("LABEL_" + i, i);
        }
        json.writeValue(file.toFile(), c);
    }

    static SafeTensorsWriter weights(RandomModelSize s, int labels, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int h = s.hidden, inter = s.intermediate, l = s.layers;
        double stdIn = 0.05, stdOut = 0.05 / Math.sqrt(2.0 * l);
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.add(
                "model.embeddings.tok_embeddings.weight",
                truncNormal(rng, (long) s.vocab * h, 0.5),
                DType.F32,
                s.vocab,
                h);
        w.add("model.embeddings.norm.weight", normWeight(rng, h), DType.F32, h);
        w.add("model.final_norm.weight", normWeight(rng, h), DType.F32, h);
        for (int i = 0; i < l; i++) {
            String p = "model.layers." + i + ".";
            if (i != 0)
                w.add(
                        p + "attn_norm.weight",
                        normWeight(rng, h),
                        DType.F32,
                        h); // layer 0 has no attn_norm
            w.add(
                    p + "attn.Wqkv.weight",
                    truncNormal(rng, 3L * h * h, stdIn * 4),
                    DType.F32,
                    3L * h,
                    h);
            w.add(
                    p + "attn.Wo.weight",
                    truncNormal(rng, (long) h * h, stdOut * 4),
                    DType.F32,
                    h,
                    h);
            w.add(p + "mlp_norm.weight", normWeight(rng, h), DType.F32, h);
            w.add(
                    p + "mlp.Wi.weight",
                    truncNormal(rng, 2L * inter * h, stdIn * 2),
                    DType.F32,
                    2L * inter,
                    h);
            w.add(
                    p + "mlp.Wo.weight",
                    truncNormal(rng, (long) h * inter, stdOut * 2),
                    DType.F32,
                    h,
                    inter);
        }
        w.add("head.dense.weight", truncNormal(rng, (long) h * h, 0.05), DType.F32, h, h);
        w.add("head.norm.weight", normWeight(rng, h), DType.F32, h);
        w.add(
                "classifier.weight",
                truncNormal(rng, (long) labels * h, 1.0 / Math.sqrt(h)),
                DType.F32,
                labels,
                h);
        float[] bias = new float[labels];
        for (int i = 0; i < labels; i++) bias[i] = (float) (0.1 * rng.nextGaussian());
        w.add("classifier.bias", bias, DType.F32, labels);
        return w;
    }

    static float[] truncNormal(SplittableRandom rng, long n, double std) {
        if (n > Integer.MAX_VALUE - 16)
            throw new IllegalArgumentException("tensor of " + n + " values is too large");
        float[] a = new float[(int) n];
        double lim = 2 * std;
        for (int i = 0; i < a.length; i++)
            a[i] = (float) Math.max(-lim, Math.min(lim, rng.nextGaussian() * std));
        return a;
    }

    static float[] normWeight(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (1.0 + 0.1 * rng.nextGaussian());
        return a;
    }
}
