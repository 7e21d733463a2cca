package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import io.streambert.engine.model.ModelLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Precision auto and its check set, and the parsing of precision names. */
class PrecisionCheckTest {

    @Test
    void withoutACheckSetAutoIsFp32(@TempDir Path tmp) {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        try (Engine e = PrecisionCheck.open(dir, EncoderOptions.defaults())) {
            assertEquals(Precision.FP32, CpuBackend.precisionOf(e));
        }
    }

    @Test
    void withACheckSetAutoPicksAModeThatMeetsTheBar(@TempDir Path tmp) throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        StringBuilder check = new StringBuilder();
        for (Case c : TestModels.cases()) {
            if (c.text() != null)
                check.append("{\"text\": \"")
                        .append(
                                c.text()
                                        .replace("\\", "\\\\")
                                        .replace("\"", "\\\"")
                                        .replace("\t", "\\t")
                                        .replace("\n", "\\n"))
                        .append("\"}\n");
        }
        Files.writeString(dir.resolve(PrecisionCheck.FILE), check);
        try (Engine auto = PrecisionCheck.open(dir, EncoderOptions.defaults());
                Engine fp32 = CpuBackend.open(dir, EncoderOptions.defaults())) {
            assertNotEquals(Precision.AUTO, CpuBackend.precisionOf(auto));
            if (CpuBackend.precisionOf(auto) != Precision.FP32) {
                List<int[]> texts = new ArrayList<>();
                for (Case c : TestModels.cases())
                    if (c.text() != null) texts.add(auto.tokenize(c.text()));
                List<Prediction> want = fp32.encode(texts);
                PrecisionCheck.Result r = PrecisionCheck.compare(auto, texts, want);
                assertTrue(r.meetsBar(), r.toString());
            }
        }
    }

    @Test
    void aBadCheckSetNamesTheFileAndLine(@TempDir Path tmp) throws IOException {
        Path dir = TestModels.copyDir(TestModels.tinyA(), tmp.resolve("m"));
        Files.writeString(
                dir.resolve(PrecisionCheck.FILE), "{\"text\": \"fine\"}\n{\"nothing\": 1}\n");
        String m =
                assertThrows(
                                ModelLoadException.class,
                                () -> PrecisionCheck.open(dir, EncoderOptions.defaults()))
                        .getMessage();
        assertTrue(m.contains(PrecisionCheck.FILE) && m.contains("line 2"), m);
    }

    @Test
    void theBarIsLabelsAndCosine() {
        assertTrue(new PrecisionCheck.Result(Precision.INT8, 0.005, 0.99, 1).meetsBar());
        assertTrue(!new PrecisionCheck.Result(Precision.INT8, 0.006, 0.999, 1).meetsBar());
        assertTrue(!new PrecisionCheck.Result(Precision.INT8, 0.0, 0.989, 1).meetsBar());
    }

    @Test
    void precisionNames() {
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        assertEquals(Precision.BF16, Precision.parse(" BF16 "));
        assertEquals(Precision.INT8, Precision.parse("int8"));
        assertEquals(Precision.AUTO, Precision.parse("auto"));
        assertEquals(Precision.FP32, Precision.parse(null));
        String m =
                assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp16"))
                        .getMessage();
        assertTrue(m.contains("fp16") && m.contains("int8"), m);
    }
}
