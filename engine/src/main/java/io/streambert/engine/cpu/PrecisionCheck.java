package io.streambert.engine.cpu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Precision {@code auto}: the fastest precision that meets the accuracy bar on the model's own
 * check set.
 *
 * <p>The check set is {@value #FILE} beside the model: one JSON object per line with {@code "text"}
 * (or {@code "input_ids"}). Every available precision (int8, bf16) is run over it and compared with
 * fp32: it qualifies when no more than {@value #MAX_LABEL_CHANGES} of the check texts change label
 * and the mean embedding cosine to fp32 is at least {@value #MIN_COSINE}; the qualifying precision
 * with the shortest measured time over the check set wins, fp32 when none qualifies or there is no
 * check set. The choice and its figures are logged.
 */
public final class PrecisionCheck {
    private static final Logger LOG = LoggerFactory.getLogger(PrecisionCheck.class);

    public static final String FILE = "precision-check.jsonl";
    public static final double MAX_LABEL_CHANGES = 0.005;
    public static final double MIN_COSINE = 0.99;

    private PrecisionCheck() {}

    /** The figures of one precision against fp32 on the check set. */
    public record Result(
            Precision precision, double labelChangeShare, double meanCosine, double seconds) {
        public boolean meetsBar() {
            return labelChangeShare <= MAX_LABEL_CHANGES && meanCosine >= MIN_COSINE;
        }
    }

    /** Opens the model in the precision {@code auto} picks. */
    public static Engine open(Path dir, EncoderOptions options) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            LOG.info("precision auto -> fp32: the model ships no check set ({} absent)", file);
            return CpuBackend.open(dir, options, Precision.FP32);
        }
        Engine fp32 = CpuBackend.open(dir, options, Precision.FP32);
        Engine best = fp32;
        try {
            List<int[]> texts = read(file, fp32);
            encode(fp32, texts); // warm-up
            long t0 = System.nanoTime();
            List<Prediction> want = encode(fp32, texts);
            double bestSeconds = (System.nanoTime() - t0) / 1e9;
            for (Precision p : List.of(Precision.INT8, Precision.BF16)) {
                if (p.available() != p) continue;
                Engine e = CpuBackend.open(dir, options, p);
                Result r = compare(e, texts, want);
                LOG.info(
                        "precision auto: {} on {} check texts: {}% labels changed, mean embedding cosine {} to fp32, {} s (fp32 {} s){}",
                        p.label(),
                        texts.size(),
                        String.format("%.2f", 100 * r.labelChangeShare()),
                        String.format("%.5f", r.meanCosine()),
                        String.format("%.3f", r.seconds()),
                        String.format("%.3f", bestSeconds),
                        r.meetsBar() ? "" : ": misses the bar");
                if (r.meetsBar() && r.seconds() < bestSeconds) {
                    if (best != fp32) best.close();
                    best = e;
                    bestSeconds = r.seconds();
                } else {
                    e.close();
                }
            }
        } catch (RuntimeException e) {
            if (best != fp32) best.close();
            fp32.close();
            throw e;
        }
        if (best != fp32) fp32.close();
        LOG.info("precision auto -> {}", CpuBackend.precisionOf(best).label());
        return best;
    }

    /** Runs {@code e} over the texts (after a warm-up) and compares with fp32's predictions. */
    static Result compare(Engine e, List<int[]> texts, List<Prediction> want) {
        encode(e, texts);
        long t0 = System.nanoTime();
        List<Prediction> got = encode(e, texts);
        double seconds = (System.nanoTime() - t0) / 1e9;
        int changed = 0;
        double cos = 0;
        for (int i = 0; i < texts.size(); i++) {
            if (!Objects.equals(got.get(i).label(), want.get(i).label())) changed++;
            cos += cosine(got.get(i).embedding(), want.get(i).embedding());
        }
        return new Result(
                CpuBackend.precisionOf(e),
                texts.isEmpty() ? 0 : (double) changed / texts.size(),
                texts.isEmpty() ? 1 : cos / texts.size(),
                seconds);
    }

    private static List<Prediction> encode(Engine e, List<int[]> texts) {
        List<Prediction> out = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i += 64)
            out.addAll(e.encode(texts.subList(i, Math.min(texts.size(), i + 64))));
        return out;
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return aa == 0 || bb == 0 ? (aa == bb ? 1 : 0) : ab / Math.sqrt(aa * bb);
    }

    private static List<int[]> read(Path file, Engine e) {
        ObjectMapper json = new ObjectMapper();
        List<int[]> out = new ArrayList<>();
        int n = 0;
        try {
            for (String line : Files.readAllLines(file)) {
                n++;
                if (line.isBlank()) continue;
                JsonNode o = json.readTree(line);
                if (o.hasNonNull("text")) {
                    out.add(e.tokenize(o.get("text").asText()));
                } else if (o.has("input_ids") && o.get("input_ids").isArray()) {
                    JsonNode ids = o.get("input_ids");
                    int[] a = new int[ids.size()];
                    for (int i = 0; i < a.length; i++) a[i] = ids.get(i).asInt();
                    out.add(a);
                } else {
                    throw new ModelLoadException(
                            file
                                    + " line "
                                    + n
                                    + ": expected {\"text\": ...} or {\"input_ids\": [...]}");
                }
            }
        } catch (IOException ex) {
            throw new ModelLoadException(file + " line " + n + ": " + ex.getMessage());
        }
        if (out.isEmpty()) throw new ModelLoadException(file + ": no check texts");
        return out;
    }
}
