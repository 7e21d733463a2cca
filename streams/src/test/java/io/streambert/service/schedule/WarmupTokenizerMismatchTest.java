package io.streambert.service.schedule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streambert.engine.Encoder;
import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.TokenizerMismatchException;
import io.streambert.engine.model.DType;
import io.streambert.engine.model.SafeTensorsFile;
import io.streambert.engine.model.SafeTensorsWriter;
import io.streambert.engine.model.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model whose tokenizer.json gives ids beyond its vocab_size: the warm-up fails naming
 * tokenizer.json and the model.
 */
class WarmupTokenizerMismatchTest {
    @TempDir Path tmp;

    @Test
    void theWarmUpNamesTokenizerJsonAndTheModel() throws Exception {
        Path src = Path.of(WarmupTokenizerMismatchTest.class.getResource("/golden/tiny-a").toURI());
        Path dir = Files.createDirectories(tmp.resolve("small-vocab"));
        Files.copy(src.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(src.resolve("config.json").toFile());
        config.put("vocab_size", 300).put("_name_or_path", "acme/tiny-300");
        json.writeValue(dir.resolve("config.json").toFile(), config);
        SafeTensorsWriter w = new SafeTensorsWriter();
        try (SafeTensorsFile f = SafeTensorsFile.open(src.resolve("model.safetensors"))) {
            for (TensorInfo t : f.tensors().values()) {
                float[] data = f.readFloats(t.name());
                long[] shape = t.shape();
                if (t.name().endsWith("embeddings.tok_embeddings.weight")) {
                    data = Arrays.copyOf(data, (int) (300 * shape[1]));
                    shape = new long[] {300, shape[1]};
                }
                w.add(t.name(), data, DType.F32, shape);
            }
        }
        w.write(dir.resolve("model.safetensors"));
        try (Encoder e = Encoders.open(dir, EncoderOptions.defaults().withDevice("cpu"))) {
            TokenizerMismatchException x =
                    assertThrows(TokenizerMismatchException.class, () -> EncoderWarmup.run(e));
            assertTrue(
                    x.getMessage().contains(dir.resolve("tokenizer.json").toString()),
                    x.getMessage());
            assertTrue(
                    x.getMessage().contains("acme/tiny-300")
                            && x.getMessage().contains("vocab_size 300"),
                    x.getMessage());
            assertFalse(x.getMessage().contains("input_ids"), x.getMessage());
        }
    }
}
