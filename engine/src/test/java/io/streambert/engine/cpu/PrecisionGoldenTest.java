package io.streambert.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Engine;
import io.streambert.engine.Prediction;
import io.streambert.engine.TestModels;
import io.streambert.engine.TestModels.Case;
import io.streambert.engine.model.SafeTensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The encoder in int8 and bf16 on the golden sets, against
 *
 * <ul>
 *   <li>the same scheme computed by plain loops ({@link Int8LinearReference} or {@link
 *       Bf16LinearReference} in every linear layer, {@link Bf16AttentionReference} for attention,
 *       everything else unchanged): the native kernels add no error of their own;
 *   <li>the float64 reference outputs: the scheme's own error, as embedding cosine (bf16 >= 0.995;
 *       int8 at least what plain per-channel/per-token int8 gives, see docs/BENCHMARKS.md).
 * </ul>
 *
 * Prints one line of figures per model and precision (recorded in docs/BENCHMARKS.md, "Accuracy").
 */
class PrecisionGoldenTest {

    @ParameterizedTest
    @CsvSource({
        "tiny-a, INT8, 0.995",
        "tiny-b, INT8, 0.995",
        "tiny-a, BF16, 0.995",
        "tiny-b, BF16, 0.995"
    })
    void lowPrecisionStaysWithinItsSchemeAndNearFloat64(
            String model, Precision precision, double minCosine) {
        assumeTrue(precision.available() == precision, NativeCpu::describe);
        Path dir = model.equals("tiny-a") ? TestModels.tinyA() : TestModels.resource(model);
        List<Case> cases = TestModels.cases(dir);
        List<int[]> batch = new ArrayList<>();
        for (Case c : cases) batch.add(c.inputIds());
        LinearOp.Factory reference =
                precision == Precision.INT8
                        ? PrecisionGoldenTest::int8Reference
                        : PrecisionGoldenTest::bf16Reference;
        EncoderOptions o = EncoderOptions.defaults();
        try (Engine fast = CpuBackend.open(dir, o, precision);
                Engine plain =
                        CpuBackend.open(
                                dir, o, precision, reference, Bf16AttentionReference::attention);
                Engine fp32 = CpuBackend.open(dir, o);
                SafeTensorsFile expected =
                        SafeTensorsFile.open(dir.resolve("expected.safetensors"))) {
            assertEquals(precision, CpuBackend.precisionOf(fast));
            List<Prediction> f = fast.encode(batch),
                    p = plain.encode(batch),
                    s = fp32.encode(batch);
            List<float[]> fh = fast.hiddenStates(batch), ph = plain.hiddenStates(batch);
            double minFast = 1,
                    minPlain = 1,
                    minFp32 = 1,
                    sumFast = 0,
                    maxHiddenVsPlain = 0,
                    errFast = 0,
                    errPlain = 0;
            int labelChanges = 0;
            for (int i = 0; i < cases.size(); i++) {
                float[] want = expected.readFloats(cases.get(i).id() + ".embedding");
                double cf = cosine(want, f.get(i).embedding()),
                        cp = cosine(want, p.get(i).embedding());
                minFast = Math.min(minFast, cf);
                minPlain = Math.min(minPlain, cp);
                minFp32 = Math.min(minFp32, cosine(want, s.get(i).embedding()));
                sumFast += cf;
                errFast = Math.max(errFast, maxAbs(want, f.get(i).embedding()));
                errPlain = Math.max(errPlain, maxAbs(want, p.get(i).embedding()));
                maxHiddenVsPlain = Math.max(maxHiddenVsPlain, maxAbs(fh.get(i), ph.get(i)));
                if (!java.util.Objects.equals(f.get(i).label(), s.get(i).label())) labelChanges++;
            }
            System.out.printf(
                    "{\"model\": \"%s\", \"precision\": \"%s\", \"cases\": %d, \"embedding_cosine_vs_float64_min\": %.5f, \"mean\": %.5f, "
                            + "\"plain_loop_same_scheme_min\": %.5f, \"fp32_min\": %.6f, \"max_abs_embedding_err\": %.2e, \"plain_loop_err\": %.2e, "
                            + "\"max_abs_hidden_vs_plain_loop\": %.2e, \"label_changes_vs_fp32\": %d}%n",
                    model,
                    precision.label(),
                    cases.size(),
                    minFast,
                    sumFast / cases.size(),
                    minPlain,
                    minFp32,
                    errFast,
                    errPlain,
                    maxHiddenVsPlain,
                    labelChanges);
            // the int8 products match their reference bit for bit, but attention (bf16 in both
            // modes) sums in another
            // order than its plain loop: within twice the plain loop's error against float64
            assertTrue(
                    errFast <= 2 * errPlain + 1e-6,
                    precision + " error " + errFast + " vs plain loop " + errPlain);
            assertTrue(
                    minFast >= minCosine,
                    model + " " + precision + ": embedding cosine " + minFast + " < " + minCosine);
        }
    }

    private static LinearOp int8Reference(float[] w, float[] b, int out, int in) {
        Int8Linear q = Int8Linear.quantize(w, b, out, in);
        return new LinearOp() {
            @Override
            public int out() {
                return out;
            }

            @Override
            public int in() {
                return in;
            }

            @Override
            public void apply(float[] x, int rows, float[] y) {
                Int8LinearReference.linear(x, rows, q, y);
            }
        };
    }

    private static LinearOp bf16Reference(float[] w, float[] b, int out, int in) {
        Bf16Linear h = Bf16Linear.convert(w, b, out, in);
        return new LinearOp() {
            @Override
            public int out() {
                return out;
            }

            @Override
            public int in() {
                return in;
            }

            @Override
            public void apply(float[] x, int rows, float[] y) {
                Bf16LinearReference.linear(x, rows, h, y);
            }
        };
    }

    static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    private static double maxAbs(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
