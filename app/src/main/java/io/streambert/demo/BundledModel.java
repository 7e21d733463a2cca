package io.streambert.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The model shipped inside the application jar so the demo runs from a clean clone without
 * downloads: models/mini-spam (a small ModernBERT distilled from all-MiniLM-L6-v2 and given a
 * ham/spam head on the SpamAssassin corpus; training/README.md has the recipe, docs/MODEL.md its
 * measured quality). The app module copies the repository's models/ folder onto the class path; the
 * encoder opens a directory, so the files are copied out of the jar first.
 */
public final class BundledModel {
    /** Classpath folder of the bundled model. */
    public static final String RESOURCE_DIR = "models/mini-spam/";

    /** One line for people: what the model is and where its figures are. */
    public static final String DESCRIPTION =
            "mini-spam, a 4-layer ModernBERT distilled from all-MiniLM-L6-v2 with a ham/spam head"
                    + " trained on SpamAssassin emails (quality: docs/MODEL.md)";

    private static final List<String> FILES =
            List.of(
                    "config.json",
                    "model.safetensors",
                    "tokenizer.json",
                    "modules.json",
                    "1_Pooling/config.json");

    private BundledModel() {}

    /** Copies the bundled model into {@code dir} (created if needed) and returns {@code dir}. */
    public static Path extractTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        ClassLoader loader = BundledModel.class.getClassLoader();
        for (String name : FILES) {
            try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new IOException(
                            "the bundled model file "
                                    + RESOURCE_DIR
                                    + name
                                    + " is missing from the class path (is streambert.jar complete?)");
                }
                Path target = dir.resolve(name);
                Files.createDirectories(target.getParent());
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }
}
