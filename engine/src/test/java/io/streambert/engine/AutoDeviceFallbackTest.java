package io.streambert.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streambert.engine.cpu.CpuBackendProvider;
import io.streambert.engine.model.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * --device auto on a machine whose GPU backend claims a GPU but fails to open it: the CPU, whatever
 * the failure.
 */
class AutoDeviceFallbackTest {

    /** A GPU backend that reports CUDA usable and then throws what {@code failure} gives. */
    record FailingGpu(Supplier<Throwable> failure, AtomicInteger opens) implements BackendProvider {
        @Override
        public Set<DeviceSpec.Kind> kinds() {
            return Set.of(DeviceSpec.Kind.CUDA, DeviceSpec.Kind.EMULATED);
        }

        @Override
        public Optional<String> unusableReason(DeviceSpec.Kind kind) {
            return Optional.empty();
        }

        @Override
        public Encoder open(Path dir, EncoderOptions options, DeviceSpec device) {
            opens.incrementAndGet();
            Throwable t = failure.get();
            if (t instanceof Error e) throw e;
            throw (RuntimeException) t;
        }
    }

    @Test
    void autoFallsBackToTheCpuOnExceptionsAndErrors() {
        List<Supplier<Throwable>> failures =
                List.of(
                        () ->
                                new UnsatisfiedLinkError(
                                        "libcublas.so.12: cannot open shared object file"),
                        () -> new NoClassDefFoundError("jcuda/driver/JCudaDriver"),
                        () ->
                                new DeviceException(
                                        "a test launch of sb_f32_to_bf16 failed: CUDA_ERROR_NO_BINARY_FOR_GPU"),
                        () ->
                                new ModelLoadException(
                                        "hidden_activation silu: the device encoder implements gelu only"));
        for (Supplier<Throwable> f : failures) {
            AtomicInteger opens = new AtomicInteger();
            try (Encoder e =
                    Encoders.open(
                            TestModels.tinyA(),
                            EncoderOptions.defaults().withDevice("auto"),
                            List.of(new FailingGpu(f, opens), new CpuBackendProvider()))) {
                assertEquals("cpu", e.info().device(), f.get().toString());
                assertEquals(1, opens.get());
            }
        }
    }

    @Test
    void anExplicitCudaRequestStillFailsLoudly() {
        UnsatisfiedLinkError boom = new UnsatisfiedLinkError("libcuda.so.1");
        Throwable t =
                assertThrows(
                        UnsatisfiedLinkError.class,
                        () ->
                                Encoders.open(
                                        TestModels.tinyA(),
                                        EncoderOptions.defaults().withDevice("cuda"),
                                        List.of(
                                                new FailingGpu(() -> boom, new AtomicInteger()),
                                                new CpuBackendProvider())));
        assertSame(boom, t);
    }
}
