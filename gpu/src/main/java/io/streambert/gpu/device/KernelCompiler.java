package io.streambert.gpu.device;

import java.util.List;
import java.util.Map;

/**
 * Compiles one CUDA source (headers given by include name) to a cubin: NVRTC on a GPU machine, a
 * fake in tests.
 */
public interface KernelCompiler {
    /** What compiles, for logs (e.g. "NVRTC 13.0 (libnvrtc.so.13)"). */
    String name();

    byte[] compile(
            String fileName, String source, Map<String, String> headers, List<String> options);
}
