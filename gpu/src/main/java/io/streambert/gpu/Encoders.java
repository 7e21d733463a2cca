package io.streambert.gpu;

import java.nio.file.Path;

/**
 * The provider: opens the model in {@code dir} on the device {@link EncoderOptions#device()} asks for
 * (auto: cuda when a GPU is usable, else cpu), logs the choice, and returns the {@link Encoder}.
 */
public final class Encoders {
    private Encoders() {}

    public static Encoder open(Path dir, EncoderOptions options) {
        throw new UnsupportedOperationException("not built yet: the engine foundation issue provides the CPU encoder");
    }
}
