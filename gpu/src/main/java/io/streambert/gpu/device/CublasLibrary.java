package io.streambert.gpu.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.streambert.engine.DeviceException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuBLAS bound through the FFM API, resolved at run time: libcublas.so.13, then libcublas.so.12 (or
 * the list in {@code -Dstreambert.cublas=...}; "none" disables it). Only what {@link CublasGemm}
 * uses: cublasCreate_v2, cublasDestroy_v2, cublasGetProperty and cublasGemmEx, whose C signatures
 * and enum values are the same in cuBLAS 12 and 13. No JCublas: its native part links
 * libcublas.so.12 only, which CUDA 13 machines do not have.
 */
public final class CublasLibrary {
    public static final String PROPERTY = "streambert.cublas";
    public static final List<String> DEFAULT_NAMES = List.of("libcublas.so.13", "libcublas.so.12");

    // cublas_api.h / library_types.h values (unchanged from cuBLAS 11 to 13)
    static final int OP_N = 0, OP_T = 1;
    static final int CUDA_R_32F = 0, CUDA_R_16BF = 14;
    static final int COMPUTE_32F = 68;
    static final int GEMM_DEFAULT = -1;
    static final int STATUS_SUCCESS = 0;

    private final NativeLibrary lib;
    private final MethodHandle create, destroy, gemmEx, getProperty;

    private CublasLibrary(NativeLibrary lib) {
        this.lib = lib;
        create =
                lib.function(
                        FunctionDescriptor.of(JAVA_INT, ADDRESS),
                        "cublasCreate_v2",
                        "cublasCreate");
        destroy =
                lib.function(
                        FunctionDescriptor.of(JAVA_INT, ADDRESS),
                        "cublasDestroy_v2",
                        "cublasDestroy");
        getProperty =
                lib.function(
                        "cublasGetProperty", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        gemmEx =
                lib.function(
                        "cublasGemmEx",
                        FunctionDescriptor.of(
                                JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                                ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /**
     * Loads cuBLAS from the configured names; a DeviceException that names every try when none
     * loads.
     */
    public static CublasLibrary load() {
        return load(NativeLibrary.names(PROPERTY, DEFAULT_NAMES));
    }

    public static CublasLibrary load(List<String> names) {
        return new CublasLibrary(NativeLibrary.first("cuBLAS", names));
    }

    /** The soname that loaded, e.g. "libcublas.so.13". */
    public String name() {
        return lib.name();
    }

    /** "major.minor.patch" from cublasGetProperty. */
    public String version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            int[] parts = new int[3];
            for (int p = 0; p < 3; p++) {
                check((int) getProperty.invokeExact(p, v), "cublasGetProperty");
                parts[p] = v.get(JAVA_INT, 0);
            }
            return parts[0] + "." + parts[1] + "." + parts[2];
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A new handle in the calling thread's current context. */
    MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check((int) create.invokeExact(h), "cublasCreate_v2");
            return h.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    void destroy(MemorySegment handle) {
        try {
            check((int) destroy.invokeExact(handle), "cublasDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * cublasGemmEx with host-side fp32 alpha and beta (the default pointer mode). Pointers are
     * device addresses.
     */
    void gemmEx(
            MemorySegment handle,
            int transa,
            int transb,
            int m,
            int n,
            int k,
            float alpha,
            long a,
            int aType,
            int lda,
            long b,
            int bType,
            int ldb,
            float beta,
            long c,
            int cType,
            int ldc,
            String what) {
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment al = ar.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, alpha);
            MemorySegment be = ar.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, beta);
            int status =
                    (int)
                            gemmEx.invokeExact(
                                    handle,
                                    transa,
                                    transb,
                                    m,
                                    n,
                                    k,
                                    al,
                                    MemorySegment.ofAddress(a),
                                    aType,
                                    lda,
                                    MemorySegment.ofAddress(b),
                                    bType,
                                    ldb,
                                    be,
                                    MemorySegment.ofAddress(c),
                                    cType,
                                    ldc,
                                    COMPUTE_32F,
                                    GEMM_DEFAULT);
            check(status, what);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void check(int status, String call) {
        if (status != STATUS_SUCCESS)
            throw new DeviceException(call + " failed: " + statusName(status));
    }

    static String statusName(int s) {
        return switch (s) {
            case 1 -> "CUBLAS_STATUS_NOT_INITIALIZED";
            case 3 -> "CUBLAS_STATUS_ALLOC_FAILED";
            case 7 -> "CUBLAS_STATUS_INVALID_VALUE";
            case 8 -> "CUBLAS_STATUS_ARCH_MISMATCH";
            case 11 -> "CUBLAS_STATUS_MAPPING_ERROR";
            case 13 -> "CUBLAS_STATUS_EXECUTION_FAILED";
            case 14 -> "CUBLAS_STATUS_INTERNAL_ERROR";
            case 15 -> "CUBLAS_STATUS_NOT_SUPPORTED";
            case 16 -> "CUBLAS_STATUS_LICENSE_ERROR";
            default -> "cublasStatus " + s;
        };
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new DeviceException("cuBLAS call failed: " + t, t);
    }
}
