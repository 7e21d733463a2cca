package io.streambert.engine.cpu;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * How far int8 and bf16 move a model's outputs from fp32 on a workload: share of sequences whose
 * label changes and the mean / lowest embedding cosine to fp32, over random ids of the lengths in a
 * file (one per line, as for {@code streambert bench}). Not a test. Run: {@code java --add-modules
 * jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp
 * streams/target/streambert.jar:streams/target/lib/*
 * io.streambert.engine.cpu.PrecisionAgreementBench MODEL_DIR LENGTHS}
 */
public final class PrecisionAgreementBench {
    private PrecisionAgreementBench() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        List<Integer> lens = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of(args[1])))
            if (!l.isBlank()) lens.add(Integer.parseInt(l.trim()));
        try (Engine fp32 = CpuBackend.open(model, EncoderOptions.defaults())) {
            int vocab = vocabOf(model);
            SplittableRandom r = new SplittableRandom(0);
            List<int[]> seqs = new ArrayList<>();
            for (int n : lens) {
                int[] ids = new int[Math.min(n, fp32.info().maxTokens())];
                for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(vocab);
                seqs.add(ids);
            }
            List<Prediction> want = encode(fp32, seqs);
            for (Precision p : List.of(Precision.INT8, Precision.BF16)) {
                if (p.available() != p) {
                    System.out.println("# " + p.label() + ": no kernel here");
                    continue;
                }
                try (Engine e = CpuBackend.open(model, EncoderOptions.defaults(), p)) {
                    List<Prediction> got = encode(e, seqs);
                    int changed = 0;
                    double sum = 0, min = 1;
                    for (int i = 0; i < seqs.size(); i++) {
                        if (!java.util.Objects.equals(got.get(i).label(), want.get(i).label()))
                            changed++;
                        double c =
                                PrecisionCheck.cosine(
                                        got.get(i).embedding(), want.get(i).embedding());
                        sum += c;
                        min = Math.min(min, c);
                    }
                    System.out.printf(
                            "{\"model\": \"%s\", \"workload\": \"%s\", \"precision\": \"%s\", \"sequences\": %d, \"label_changes\": %d, "
                                    + "\"label_change_share\": %.4f, \"embedding_cosine_to_fp32_mean\": %.5f, \"min\": %.5f}%n",
                            model.getFileName(),
                            args[1],
                            p.label(),
                            seqs.size(),
                            changed,
                            (double) changed / seqs.size(),
                            sum / seqs.size(),
                            min);
                }
            }
        }
    }

    private static int vocabOf(Path model) throws java.io.IOException {
        return new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(model.resolve("config.json").toFile())
                .path("vocab_size")
                .asInt();
    }

    private static List<Prediction> encode(Engine e, List<int[]> seqs) {
        List<Prediction> out = new ArrayList<>();
        int from = 0, tokens = 0;
        for (int i = 0; i < seqs.size(); i++) {
            if (tokens + seqs.get(i).length > 8192 && i > from) {
                out.addAll(e.encode(seqs.subList(from, i)));
                from = i;
                tokens = 0;
            }
            tokens += seqs.get(i).length;
        }
        out.addAll(e.encode(seqs.subList(from, seqs.size())));
        return out;
    }
}
