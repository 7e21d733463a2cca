package io.streambert.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Prediction;
import io.streambert.engine.cpu.CpuParallel;
import io.streambert.engine.model.SafeTensorsFile;
import io.streambert.engine.model.TensorInfo;
import io.streambert.evaluation.BinaryScores;
import io.streambert.evaluation.EmbeddingAgreement;
import io.streambert.evaluation.NaiveBayes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code streambert evaluate}: the figures of docs/MODEL.md, measured by this engine on the
 * recipe's data folder (training/README.md): spam precision/recall/F1 and confusion on the test
 * split, the same for a multinomial naive Bayes baseline over the same token ids trained on the
 * train split, and the agreement of the model's embeddings with the teacher's on the held-out
 * sentences (teacher-heldout.safetensors, written by the recipe).
 */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description =
                "Measure a ham/spam model on the training recipe's held-out data (see training/README.md).")
public final class EvaluateCommand implements Callable<Integer> {

    @Option(
            names = "--model",
            required = true,
            description = "Model directory (labels must include 'spam').")
    Path model;

    @Option(
            names = "--data",
            required = true,
            description =
                    "The recipe's data folder: emails.jsonl, sentences.jsonl, teacher-heldout.safetensors.")
    Path data;

    @Option(names = "--threads", defaultValue = "0", description = "CPU threads; 0 = all cores.")
    int threads;

    @Option(
            names = "--k",
            defaultValue = "10",
            description = "Neighbours for recall@k (default: ${DEFAULT-VALUE}).")
    int k;

    record Email(String id, String group, String label, String split, String text) {}

    @Override
    public Integer call() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Email> emails = new ArrayList<>();
        for (JsonNode n : readJsonl(json, data.resolve("emails.jsonl"))) {
            emails.add(
                    new Email(
                            n.get("id").asText(),
                            n.get("group").asText(),
                            n.get("label").asText(),
                            n.get("split").asText(),
                            n.get("text").asText()));
        }
        List<String> heldout = new ArrayList<>();
        for (JsonNode n : readJsonl(json, data.resolve("sentences.jsonl")))
            if (n.get("split").asText().equals("test")) heldout.add(n.get("text").asText());
        float[][] teacher = readRows(data.resolve("teacher-heldout.safetensors"), "embeddings");
        if (teacher.length != heldout.size()) {
            throw new IllegalArgumentException(
                    data
                            + ": "
                            + heldout.size()
                            + " held-out sentences but "
                            + teacher.length
                            + " teacher embeddings");
        }
        CpuParallel.setThreads(threads);
        try (Encoder encoder =
                Encoders.open(
                        model, EncoderOptions.defaults().withDevice("cpu").withThreads(threads))) {
            List<String> labels = encoder.info().labels();
            int spam = labels.indexOf("spam");
            if (spam < 0)
                throw new IllegalArgumentException(model + ": no 'spam' label among " + labels);
            int vocab =
                    json.readTree(model.resolve("config.json").toFile()).path("vocab_size").asInt();

            List<int[]> trainIds = new ArrayList<>(), testIds = new ArrayList<>();
            List<Email> train = new ArrayList<>(), test = new ArrayList<>();
            for (Email e : emails) {
                if (e.split().equals("train")) {
                    train.add(e);
                    trainIds.add(encoder.tokenize(e.text()));
                }
                if (e.split().equals("test")) {
                    test.add(e);
                    testIds.add(encoder.tokenize(e.text()));
                }
            }
            long t0 = System.nanoTime();
            List<Prediction> preds = encodeAll(encoder, testIds);
            double modelSeconds = (System.nanoTime() - t0) / 1e9;
            BinaryScores ours = new BinaryScores();
            TreeMap<String, int[]> byGroup = new TreeMap<>(); // group -> {predicted spam, total}
            for (int i = 0; i < test.size(); i++) {
                boolean predicted = "spam".equals(preds.get(i).label());
                ours.add(test.get(i).label().equals("spam"), predicted);
                int[] g = byGroup.computeIfAbsent(test.get(i).group(), x -> new int[2]);
                if (predicted) g[0]++;
                g[1]++;
            }
            NaiveBayes nb = new NaiveBayes(2, vocab);
            for (int i = 0; i < train.size(); i++)
                nb.add(
                        train.get(i).label().equals("spam") ? 1 : 0,
                        trainIds.get(i),
                        1,
                        trainIds.get(i).length - 1);
            BinaryScores base = new BinaryScores();
            for (int i = 0; i < test.size(); i++) {
                int[] ids = testIds.get(i);
                base.add(
                        test.get(i).label().equals("spam"),
                        nb.predict(ids, 1, ids.length - 1) == 1);
            }

            List<int[]> sentIds = new ArrayList<>();
            for (String s : heldout) sentIds.add(encoder.tokenize(s));
            List<Prediction> sp = encodeAll(encoder, sentIds);
            float[][] student = new float[sp.size()][];
            for (int i = 0; i < student.length; i++) student[i] = sp.get(i).embedding();

            System.out.printf(
                    Locale.ROOT,
                    "model: %s (%s), token limit %d, device %s%n",
                    encoder.info().name(),
                    encoder.info().revision(),
                    encoder.info().maxTokens(),
                    encoder.info().device());
            System.out.printf(
                    Locale.ROOT,
                    "test split: %d emails (%d spam); train split: %d emails%n",
                    test.size(),
                    test.stream().filter(e -> e.label().equals("spam")).count(),
                    train.size());
            System.out.println();
            System.out.println(
                    "| classifier | precision | recall | F1 | accuracy | TP | FP | FN | TN |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            row("this model (Java engine)", ours);
            row("baseline: multinomial naive Bayes, same token ids", base);
            System.out.println();
            System.out.print("predicted spam by group:");
            byGroup.forEach((g, c) -> System.out.printf(Locale.ROOT, " %s %d/%d;", g, c[0], c[1]));
            System.out.printf(
                    Locale.ROOT, "%n(model time over the test split: %.1f s)%n%n", modelSeconds);
            System.out.printf(Locale.ROOT, "embeddings, %d held-out sentences:%n", student.length);
            System.out.printf(
                    Locale.ROOT,
                    "  mean cosine student-teacher : %.4f%n",
                    EmbeddingAgreement.meanCosine(student, teacher));
            System.out.printf(
                    Locale.ROOT,
                    "  Spearman of pairwise sims   : %.4f%n",
                    EmbeddingAgreement.spearmanOfPairs(student, teacher));
            System.out.printf(
                    Locale.ROOT,
                    "  recall@%d of teacher's NN   : %.4f%n",
                    k,
                    EmbeddingAgreement.recallAtK(student, teacher, k));
            return 0;
        }
    }

    private static void row(String name, BinaryScores s) {
        System.out.printf(
                Locale.ROOT,
                "| %s | %.4f | %.4f | %.4f | %.4f | %d | %d | %d | %d |%n",
                name,
                s.precision(),
                s.recall(),
                s.f1(),
                s.accuracy(),
                s.truePositives(),
                s.falsePositives(),
                s.falseNegatives(),
                s.trueNegatives());
    }

    private static List<Prediction> encodeAll(Encoder encoder, List<int[]> seqs) {
        List<Prediction> out = new ArrayList<>();
        for (List<int[]> b : TokenBatches.split(seqs, s -> s.length, TokenBatches.DEFAULT_BUDGET))
            out.addAll(encoder.encode(b));
        return out;
    }

    private static List<JsonNode> readJsonl(ObjectMapper json, Path file) throws IOException {
        if (!Files.isRegularFile(file))
            throw new IllegalArgumentException(
                    file + ": missing (run the recipe in training/README.md first)");
        List<JsonNode> out = new ArrayList<>();
        int line = 0;
        for (String s : Files.readAllLines(file)) {
            line++;
            if (s.isBlank()) continue;
            try {
                out.add(json.readTree(s));
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        file + ":" + line + ": not JSON: " + e.getMessage());
            }
        }
        return out;
    }

    private static float[][] readRows(Path file, String name) {
        if (!Files.isRegularFile(file))
            throw new IllegalArgumentException(
                    file + ": missing (run the recipe in training/README.md first)");
        try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
            TensorInfo t = f.info(name);
            if (t == null || t.shape().length != 2)
                throw new IllegalArgumentException(file + ": needs a 2-D tensor '" + name + "'");
            float[] flat = f.readFloats(name);
            int rows = (int) t.shape()[0], cols = (int) t.shape()[1];
            float[][] out = new float[rows][cols];
            for (int r = 0; r < rows; r++) System.arraycopy(flat, r * cols, out[r], 0, cols);
            return out;
        }
    }
}
