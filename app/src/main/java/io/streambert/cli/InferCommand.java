package io.streambert.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.ModelInfo;
import io.streambert.engine.Prediction;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streambert infer}: one JSON line in, one JSON line out, in input order. Good lines are
 * batched by token budget through {@link Encoder#encode}; a bad line becomes {"id", "error"} and
 * the rest goes on. Exit code 0 only when no line failed (1 otherwise, 2 when the run itself cannot
 * start).
 */
@Command(
        name = "infer",
        mixinStandardHelpOptions = true,
        description = "Run the model over a JSONL file.")
public final class InferCommand implements Callable<Integer> {

    @Mixin EngineOptions engine;

    @Option(
            names = "--input",
            required = true,
            description =
                    "Input JSONL: {\"id\", \"text\"} or {\"id\", \"input_ids\"} per line; - for stdin.")
    String input;

    @Option(names = "--output", required = true, description = "Output JSONL; - for stdout.")
    String output;

    @Option(
            names = "--max-tokens",
            defaultValue = "0",
            description = "Token limit per sequence; 0 = the model's limit.")
    int maxTokens;

    @Option(
            names = "--embedding-dim",
            defaultValue = "0",
            description = "Matryoshka embedding dimension; 0 = hidden size.")
    int embeddingDim;

    @Option(
            names = "--truncation",
            defaultValue = "truncate",
            description =
                    "truncate | reject: what to do with text longer than the limit (default: ${DEFAULT-VALUE}).")
    String truncation;

    @Option(
            names = "--normalize",
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description =
                    "Read text as the service does (text.normalize): drop invisible default-ignorable characters, then NFKC, before tokenizing, so \"i\\u200Bdiot\" reads as \"idiot\" (default: on; --no-normalize tokenizes the text as sent).")
    boolean normalize;

    /**
     * Default line limit: far above any text a model with an 8192-token context can use, far below
     * the heap.
     */
    static final int DEFAULT_MAX_LINE_BYTES = 8 << 20;

    @Option(
            names = "--max-line-bytes",
            defaultValue = "" + DEFAULT_MAX_LINE_BYTES,
            description =
                    "Longest input line in bytes; a longer line gets an error line and is skipped unread (default: ${DEFAULT-VALUE}).")
    int maxLineBytes;

    @Override
    public Integer call() throws IOException {
        engine.check();
        if (maxTokens < 0)
            throw new IllegalArgumentException(
                    "--max-tokens must be 0 (the model's limit) or positive, got " + maxTokens);
        if (embeddingDim < 0)
            throw new IllegalArgumentException(
                    "--embedding-dim must be 0 (hidden size) or positive, got " + embeddingDim);
        if (maxLineBytes < 2)
            throw new IllegalArgumentException(
                    "--max-line-bytes must be at least 2, got " + maxLineBytes);
        EncoderOptions.Truncation policy =
                switch (truncation.toLowerCase(java.util.Locale.ROOT)) {
                    case "truncate" -> EncoderOptions.Truncation.TRUNCATE;
                    case "reject" -> EncoderOptions.Truncation.REJECT;
                    default ->
                            throw new IllegalArgumentException(
                                    "--truncation must be truncate or reject, got '"
                                            + truncation
                                            + "'");
                };
        EncoderOptions options =
                engine.encoderOptions()
                        .withMaxTokens(maxTokens)
                        .withEmbeddingDim(embeddingDim)
                        .withTruncation(policy);
        ObjectMapper json = new ObjectMapper();
        try (Encoder encoder = Encoders.open(engine.model, options);
                BoundedLines in = openInput();
                Writer out = openOutput()) {
            Run run = new Run(encoder, json, out);
            BoundedLines.Line line;
            long lineNo = 0;
            while ((line = in.next()) != null) {
                lineNo++;
                if (line.tooLong()) run.add(InferLine.tooLong(lineNo, line, maxLineBytes, json));
                else if (line.utf8Error() != null)
                    run.add(
                            InferLine.failed(
                                    lineNo,
                                    com.fasterxml.jackson.databind.node.NullNode.instance,
                                    line.utf8Error()));
                else run.add(InferLine.parse(lineNo, line.text(), json, encoder, normalize));
            }
            run.flush();
            out.flush();
            if (run.failed > 0)
                System.err.println(
                        "streambert infer: " + run.failed + " of " + lineNo + " lines failed");
            return run.failed == 0 ? 0 : 1;
        }
    }

    private BoundedLines openInput() throws IOException {
        if (input.equals("-")) {
            // Not closing System.in.
            return new BoundedLines(
                    new java.io.FilterInputStream(System.in) {
                        @Override
                        public void close() {}
                    },
                    maxLineBytes);
        }
        try {
            return new BoundedLines(Files.newInputStream(Path.of(input)), maxLineBytes);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--input " + input + ": no such file");
        }
    }

    private Writer openOutput() throws IOException {
        if (output.equals("-")) {
            // Not closing System.out: wrap it so close() only flushes.
            return new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)) {
                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }
        Path p = Path.of(output);
        if (p.getParent() != null && !Files.isDirectory(p.getParent()))
            throw new IllegalArgumentException("--output " + output + ": directory does not exist");
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }

    private static final int MAX_PENDING_LINES = 4096;

    /** Lines waiting for their batch to fill; written in input order once the batch has run. */
    private final class Run {
        final Encoder encoder;
        final ObjectMapper json;
        final Writer out;
        final ModelInfo info;
        final List<InferLine> pending = new ArrayList<>();
        long pendingTokens;
        long failed;

        Run(Encoder encoder, ObjectMapper json, Writer out) {
            this.encoder = encoder;
            this.json = json;
            this.out = out;
            this.info = encoder.info();
        }

        void add(InferLine line) throws IOException {
            if (line.ids() != null
                    && pendingTokens > 0
                    && pendingTokens + line.ids().length > engine.batchTokens) flush();
            pending.add(line);
            if (line.ids() != null) pendingTokens += line.ids().length;
            // Also bound the lines held back (a long run of bad lines carries no tokens).
            if (pendingTokens >= engine.batchTokens || pending.size() >= MAX_PENDING_LINES) flush();
        }

        void flush() throws IOException {
            List<InferLine> good = new ArrayList<>();
            for (InferLine l : pending) if (l.ids() != null) good.add(l);
            List<Object> results = encode(good); // Prediction or String (error), aligned with good
            int g = 0;
            for (InferLine l : pending) {
                Object r = l.ids() == null ? l.error() : results.get(g++);
                if (r instanceof Prediction p) {
                    out.write(json.writeValueAsString(PredictionJson.of(json, l.id(), p, info)));
                } else {
                    failed++;
                    out.write(
                            json.writeValueAsString(
                                    PredictionJson.error(json, l.id(), (String) r)));
                }
                out.write('\n');
            }
            pending.clear();
            pendingTokens = 0;
        }

        /**
         * Runs the batch; when the engine rejects it, runs each line alone to find which lines are
         * at fault.
         */
        private List<Object> encode(List<InferLine> good) {
            List<Object> results = new ArrayList<>(good.size());
            if (good.isEmpty()) return results;
            try {
                results.addAll(encoder.encode(good.stream().map(InferLine::ids).toList()));
                return results;
            } catch (IllegalArgumentException batchRejected) {
                for (InferLine l : good) {
                    try {
                        results.add(encoder.encode(List.of(l.ids())).getFirst());
                    } catch (IllegalArgumentException e) {
                        results.add(
                                "line "
                                        + l.lineNo()
                                        + ": "
                                        + e.getMessage()
                                                .replaceFirst("^sequence 0\\b:?", "input_ids"));
                    }
                }
                return results;
            }
        }
    }
}
