package io.streambert.service.batch;

import io.streambert.engine.ModelInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names the tokenizer and model that buffered token ids belong to: {@code <model
 * revision>/<tokenizer hash>}. The model revision is the encoder's content hash of the weights; the
 * tokenizer part is a hash of {@code tokenizer.json} (or "builtin" when the encoder was handed over
 * without a model directory).
 */
public final class ModelRevision {
    private ModelRevision() {}

    public static String of(ModelInfo info, Path modelDir) {
        String tokenizer = "builtin";
        if (modelDir != null) {
            Path file = modelDir.resolve("tokenizer.json");
            if (Files.isRegularFile(file)) {
                try {
                    tokenizer =
                            HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256")
                                                    .digest(Files.readAllBytes(file)))
                                    .substring(0, 12);
                } catch (IOException e) {
                    tokenizer = "unreadable";
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException("every JDK has SHA-256", e);
                }
            }
        }
        return info.name() + "@" + info.revision() + "/" + tokenizer;
    }
}
