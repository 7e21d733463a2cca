package io.streambert.engine.random;

import java.util.Locale;

/**
 * The shapes {@code random-model} can write. tiny is the golden tiny-a shape (vocabulary 704,
 * exactly the shipped tokenizer's); base and large are ModernBERT-base / -large shapes, with the
 * real vocabulary size 50368 (the tokenizer's ids are all below 704, so they fit).
 */
public enum RandomModelSize {
    TINY(704, 128, 192, 4, 2, 16, 1024),
    BASE(50368, 768, 1152, 22, 12, 128, 8192),
    LARGE(50368, 1024, 2624, 28, 16, 128, 8192);
    public final int vocab, hidden, intermediate, layers, heads, localAttention, maxPositions;

    RandomModelSize(
            int vocab,
            int hidden,
            int intermediate,
            int layers,
            int heads,
            int localAttention,
            int maxPositions) {
        this.vocab = vocab;
        this.hidden = hidden;
        this.intermediate = intermediate;
        this.layers = layers;
        this.heads = heads;
        this.localAttention = localAttention;
        this.maxPositions = maxPositions;
    }

    public static RandomModelSize parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--size must be tiny, base or large, got '" + s + "'");
        }
    }
}
