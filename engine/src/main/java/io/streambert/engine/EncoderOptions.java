package io.streambert.engine;

/**
 * How to open an encoder.
 *
 * @param device        auto | cpu | cuda | emulated ("auto" picks cuda when a GPU is usable, else cpu)
 * @param maxTokens     configured token limit per sequence; the effective limit is min(this, max_position_embeddings); 0 = model limit
 * @param truncation    TRUNCATE (default: keep [CLS] ... [SEP]) or REJECT
 * @param embeddingDim  Matryoshka dimension (truncate, then renormalise); 0 = full hidden size
 * @param pooling       embedding pooling override: null = from sentence-transformers config if present, else mean
 * @param threads       CPU threads for the CPU encoder (process-wide: {@code CpuParallel}); 0 = leave as is (all cores by default)
 */
public record EncoderOptions(String device, int maxTokens, Truncation truncation, int embeddingDim, String pooling, int threads) {

    public enum Truncation { TRUNCATE, REJECT }

    public static EncoderOptions defaults() {
        return new EncoderOptions("auto", 0, Truncation.TRUNCATE, 0, null, 0);
    }

    public EncoderOptions withDevice(String d) { return new EncoderOptions(d, maxTokens, truncation, embeddingDim, pooling, threads); }
    public EncoderOptions withMaxTokens(int n) { return new EncoderOptions(device, n, truncation, embeddingDim, pooling, threads); }
    public EncoderOptions withTruncation(Truncation t) { return new EncoderOptions(device, maxTokens, t, embeddingDim, pooling, threads); }
    public EncoderOptions withEmbeddingDim(int d) { return new EncoderOptions(device, maxTokens, truncation, d, pooling, threads); }
    public EncoderOptions withPooling(String p) { return new EncoderOptions(device, maxTokens, truncation, embeddingDim, p, threads); }
    public EncoderOptions withThreads(int t) { return new EncoderOptions(device, maxTokens, truncation, embeddingDim, pooling, t); }
}
