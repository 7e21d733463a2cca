package io.streambert.engine;

/**
 * How to open an encoder.
 *
 * @param device auto | cpu | cuda | cuda:N | emulated, parsed by {@link DeviceSpec} ("auto" picks
 *     cuda when a GPU is usable, else cpu)
 * @param maxTokens configured token limit per sequence; the effective limit is min(this,
 *     max_position_embeddings); 0 = model limit
 * @param truncation TRUNCATE (default: keep [CLS] ... [SEP]) or REJECT
 * @param embeddingDim Matryoshka dimension (truncate, then renormalise); 0 = full hidden size
 * @param pooling embedding pooling override: null = from sentence-transformers config if present,
 *     else mean
 * @param threads CPU threads for the CPU encoder (process-wide: {@code CpuParallel}); 0 = leave as
 *     is (all cores by default)
 * @param precision the CPU encoder's matrix products: fp32 (default) | bf16 | int8 | auto ({@code
 *     cpu.Precision}); null = fp32. The GPU encoder has its own (bf16) and ignores it.
 */
public record EncoderOptions(
        String device,
        int maxTokens,
        Truncation truncation,
        int embeddingDim,
        String pooling,
        int threads,
        String precision) {

    public enum Truncation {
        TRUNCATE,
        REJECT
    }

    public static EncoderOptions defaults() {
        return new EncoderOptions("auto", 0, Truncation.TRUNCATE, 0, null, 0, "fp32");
    }

    public EncoderOptions withDevice(String d) {
        return new EncoderOptions(
                d, maxTokens, truncation, embeddingDim, pooling, threads, precision);
    }

    public EncoderOptions withMaxTokens(int n) {
        return new EncoderOptions(device, n, truncation, embeddingDim, pooling, threads, precision);
    }

    public EncoderOptions withTruncation(Truncation t) {
        return new EncoderOptions(device, maxTokens, t, embeddingDim, pooling, threads, precision);
    }

    public EncoderOptions withEmbeddingDim(int d) {
        return new EncoderOptions(device, maxTokens, truncation, d, pooling, threads, precision);
    }

    public EncoderOptions withPooling(String p) {
        return new EncoderOptions(
                device, maxTokens, truncation, embeddingDim, p, threads, precision);
    }

    public EncoderOptions withPrecision(String p) {
        return new EncoderOptions(device, maxTokens, truncation, embeddingDim, pooling, threads, p);
    }

    /**
     * Most CPU worker threads accepted: far above any core count, far below ForkJoinPool's own
     * limit of 32767.
     */
    public static final int MAX_THREADS = 1024;

    /**
     * Checks a requested thread count: 0 (all cores) or 1..{@value #MAX_THREADS}; {@code what}
     * names the setting.
     */
    public static int checkThreads(int n, String what) {
        if (n < 0 || n > MAX_THREADS) {
            throw new IllegalArgumentException(
                    what + " must be 0 (all cores) or 1.." + MAX_THREADS + ", got " + n);
        }
        return n;
    }

    public EncoderOptions withThreads(int t) {
        return new EncoderOptions(
                device, maxTokens, truncation, embeddingDim, pooling, t, precision);
    }
}
