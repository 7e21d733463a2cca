package io.streambert.gpu.encoder;

import io.streambert.engine.EncoderOptions;
import io.streambert.engine.Encoders;
import io.streambert.engine.Engine;
import io.streambert.engine.model.DType;
import io.streambert.engine.model.Rewrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What bf16 weights alone do to a model: the CPU encoder (fp32 activations) on a copy of the
 * checkpoint stored as bf16. The device path's hidden states are held to a multiple of this (see
 * GoldenBounds).
 */
final class GoldenBaseline {
    private GoldenBaseline() {}

    static List<float[]> hiddenWithBf16Weights(Path model, Path tmp, List<int[]> sequences) {
        Path bf16 =
                Rewrite.checkpoint(
                        model,
                        tmp.resolve("bf16-" + model.getFileName()),
                        DType.BF16,
                        n -> n,
                        a -> a);
        try (Engine cpu =
                (Engine) Encoders.open(bf16, EncoderOptions.defaults().withDevice("cpu"))) {
            List<float[]> out = new ArrayList<>();
            for (int[] s : sequences) out.add(cpu.hiddenStates(List.of(s)).getFirst());
            return out;
        }
    }
}
