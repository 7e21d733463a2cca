package io.streambert.service.testing;

import io.streambert.engine.Encoder;
import io.streambert.engine.InputRejectedException;
import io.streambert.engine.ModelInfo;
import io.streambert.engine.Prediction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic stand-in encoder for routing, batching and scheduling tests (the real CpuEncoder
 * is exercised by RealEncoderTopologyTest). Tokens: [CLS]=1, one id per whitespace-separated word,
 * [SEP]=2. Label "flagged" wins when the text contains the word "bad", else "ok". The word "poison"
 * makes {@link #encode} reject the sequence (to test per-record failure isolation).
 */
public class TestEncoder implements Encoder {
    public static final int POISON_ID = 999_999;
    public static final int BAD_ID = 666;

    private final int maxTokens;

    /** Every encode call's sequence lengths, in call order. */
    public final List<List<Integer>> calls = Collections.synchronizedList(new ArrayList<>());

    private volatile CountDownLatch gate;

    public TestEncoder(int maxTokens) {
        this.maxTokens = maxTokens;
    }

    public TestEncoder() {
        this(512);
    }

    /**
     * Makes the next encode calls wait until {@link #open()} (to let requests pile up in the
     * queue).
     */
    public void hold() {
        gate = new CountDownLatch(1);
    }

    public void open() {
        CountDownLatch g = gate;
        if (g != null) g.countDown();
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(
                "test-encoder", "rev1", List.of("ok", "flagged"), false, 4, 4, maxTokens, "test");
    }

    @Override
    public int[] tokenize(String text) {
        String[] words = text.trim().isEmpty() ? new String[0] : text.trim().split("\\s+");
        int n = Math.min(words.length, maxTokens - 2);
        if (words.length > maxTokens - 2 && text.contains("REJECT_LONG"))
            throw new InputRejectedException(
                    "text has " + (words.length + 2) + " tokens, limit " + maxTokens);
        int[] ids = new int[n + 2];
        ids[0] = 1;
        for (int i = 0; i < n; i++) ids[i + 1] = idOf(words[i]);
        ids[n + 1] = 2;
        return ids;
    }

    private static int idOf(String word) {
        if (word.equals("poison")) return POISON_ID;
        if (word.equals("bad")) return BAD_ID;
        return 10 + Math.floorMod(word.hashCode(), 500);
    }

    @Override
    public List<Prediction> encode(List<int[]> sequences) {
        List<Integer> lens = new ArrayList<>();
        for (int[] s : sequences) lens.add(s.length);
        calls.add(lens);
        CountDownLatch g = gate;
        if (g != null) {
            try {
                if (!g.await(30, TimeUnit.SECONDS))
                    throw new IllegalStateException("test gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        List<Prediction> out = new ArrayList<>();
        for (int[] s : sequences) out.add(predict(s));
        return out;
    }

    /** What {@link #encode} returns for one sequence (batch-invariant by construction). */
    public static Prediction predict(int[] s) {
        boolean bad = false;
        long sum = 0;
        for (int id : s) {
            if (id == POISON_ID) throw new InputRejectedException("poison token in sequence");
            if (id == BAD_ID) bad = true;
            sum += id;
        }
        float flagged = bad ? 0.9f : 0.1f;
        float[] scores = {1 - flagged, flagged};
        float[] logits = {(float) Math.log(1 - flagged), (float) Math.log(flagged)};
        float[] emb = {s.length, sum % 97, bad ? 1 : 0, 1};
        double norm = 0;
        for (float x : emb) norm += x * x;
        for (int i = 0; i < emb.length; i++) emb[i] /= (float) Math.sqrt(norm);
        return new Prediction(s.length, logits, scores, bad ? "flagged" : "ok", emb);
    }
}
