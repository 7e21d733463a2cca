package io.streambert.demo;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The tiny ModernBERT checkpoint shipped inside the application jar (a random-weight 4-layer model with
 * labels safe / spam / toxic, 2.6 MB) so the demo runs from a clean clone without downloads. The encoder
 * opens a directory, so the files are copied out of the jar first.
 */
public final class BundledModel {
    /** Classpath folder of the bundled model. */
    public static final String RESOURCE_DIR = "models/tiny-a/";
    private static final List<String> FILES = List.of("config.json", "model.safetensors", "tokenizer.json");

    private BundledModel() {
    }

    /** Copies the bundled model into {@code dir} (created if needed) and returns {@code dir}. */
    public static Path extractTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        ClassLoader loader = BundledModel.class.getClassLoader();
        for (String name : FILES) {
            try (InputStream in = loader.getResourceAsStream(RESOURCE_DIR + name)) {
                if (in == null) {
                    throw new IOException("the bundled model file " + RESOURCE_DIR + name
                            + " is missing from the class path (is streambert.jar complete?)");
                }
                Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }
}
