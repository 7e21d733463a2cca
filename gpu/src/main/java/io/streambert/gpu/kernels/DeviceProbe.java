package io.streambert.gpu.kernels;

import io.streambert.engine.model.Bf16;
import io.streambert.gpu.device.CudaDevice;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.Dim3;
import io.streambert.gpu.device.Gemm;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What {@code --device auto} asks before it trusts a GPU: the driver loads and reports a device,
 * the device opens (primary context, kernel modules), a tiny kernel launch gives the right numbers,
 * and the GEMM backend gives the right product. Any failure, Errors included (UnsatisfiedLinkError,
 * NoClassDefFoundError, ...), is a reason to use the CPU; the device is closed again and the reason
 * returned for the log.
 */
public final class DeviceProbe {
    private DeviceProbe() {}

    /** A usable device with its GEMM, or why not (device and gemm null). */
    public record Result(Device device, Gemm gemm, String gemmReason, String failure) {
        public boolean usable() {
            return failure == null;
        }
    }

    /** Probes CUDA GPU {@code ordinal}. */
    public static Result cuda(int ordinal) {
        if (!safeAvailable())
            return new Result(
                    null, null, null, "no usable CUDA driver: " + CudaDevice.unavailableReason());
        return probe(
                () -> CudaDevice.open(ordinal),
                d -> GemmBackends.choose(d, System.getProperty(GemmBackends.PROPERTY, "auto")));
    }

    private static boolean safeAvailable() {
        try {
            return CudaDevice.isAvailable();
        } catch (RuntimeException | Error e) {
            return false;
        }
    }

    /** Opens a device, checks a launch and a GEMM on it; closes it again on any failure. */
    public static Result probe(Supplier<Device> open, Function<Device, GemmBackends.Choice> gemm) {
        Device d = null;
        String step = "opening the device";
        try {
            d = open.get();
            step = "a test launch of sb_f32_to_bf16 / sb_bf16_to_f32";
            checkLaunch(d);
            step = "choosing the GEMM backend";
            GemmBackends.Choice g = gemm.apply(d);
            step = "a test product on " + g.gemm();
            checkGemm(d, g.gemm());
            return new Result(d, g.gemm(), g.reason(), null);
        } catch (RuntimeException | Error e) {
            String why =
                    step
                            + " failed: "
                            + e.getClass().getSimpleName()
                            + ": "
                            + firstLine(e.getMessage());
            if (d != null) {
                try {
                    d.close();
                } catch (RuntimeException | Error closing) {
                    why +=
                            " (closing the device failed too: "
                                    + firstLine(closing.getMessage())
                                    + ")";
                }
            }
            return new Result(null, null, null, why);
        }
    }

    private static String firstLine(String s) {
        if (s == null) return "(no message)";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static void checkLaunch(Device d) {
        float[] x = {1.5f, -2.2578125f, 3.14159f, 1e-3f, -0f, 65504f, 7f};
        try (DeviceBuffer in = d.alloc(4L * x.length);
                DeviceBuffer mid = d.alloc(2L * x.length);
                DeviceBuffer out = d.alloc(4L * x.length)) {
            d.upload(x, in);
            d.launch("sb_f32_to_bf16", Dim3.of(1), Dim3.of(32), 0, in, mid, x.length);
            d.launch("sb_bf16_to_f32", Dim3.of(1), Dim3.of(32), 0, mid, out, x.length);
            d.synchronize();
            float[] y = new float[x.length];
            d.download(out, y);
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(Bf16.round(x[i])))
                    throw new IllegalStateException(
                            "bf16 round trip of "
                                    + x[i]
                                    + " gave "
                                    + y[i]
                                    + ", expected "
                                    + Bf16.round(x[i]));
            }
        }
    }

    static void checkGemm(Device d, Gemm gemm) {
        int rows = 3, out = 5, k = 40;
        float[] a = new float[rows * k], w = new float[out * k], bias = new float[out];
        for (int i = 0; i < a.length; i++) a[i] = Bf16.round((float) Math.sin(i * 0.37) * 2);
        for (int i = 0; i < w.length; i++) w[i] = Bf16.round((float) Math.cos(i * 0.11));
        for (int j = 0; j < out; j++) bias[j] = j - 2f;
        try (DeviceBuffer ab = d.alloc(2L * a.length);
                DeviceBuffer wb = d.alloc(2L * w.length);
                DeviceBuffer bb = d.alloc(4L * out);
                DeviceBuffer cb = d.alloc(4L * rows * out)) {
            d.uploadBf16(a, ab);
            d.uploadBf16(w, wb);
            d.upload(bias, bb);
            gemm.run(ab, wb, bb, cb, Gemm.Output.FP32, rows, out, k);
            d.synchronize();
            float[] c = new float[rows * out];
            d.download(cb, c);
            compare(a, w, bias, null, c, rows, out, k, "test product");
            // the residual stream's product: C += A x W^T + bias (cuBLAS: beta = 1)
            float[] c0 = new float[rows * out];
            for (int i = 0; i < c0.length; i++) c0[i] = 3f - i;
            d.upload(c0, cb);
            gemm.run(ab, wb, bb, cb, Gemm.Output.FP32_ADD, rows, out, k);
            d.synchronize();
            d.download(cb, c);
            compare(a, w, bias, c0, c, rows, out, k, "test product added to C");
        }
    }

    private static void compare(
            float[] a,
            float[] w,
            float[] bias,
            float[] c0,
            float[] c,
            int rows,
            int out,
            int k,
            String what) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < out; j++) {
                double want = bias[j], mag = Math.abs(bias[j]);
                if (c0 != null) {
                    want += c0[r * out + j];
                    mag += Math.abs(c0[r * out + j]);
                }
                for (int i = 0; i < k; i++) {
                    want += (double) a[r * k + i] * w[j * k + i];
                    mag += Math.abs(a[r * k + i] * w[j * k + i]);
                }
                if (!(Math.abs(c[r * out + j] - want) <= 1e-5 * mag + 1e-6))
                    throw new IllegalStateException(
                            what
                                    + " C["
                                    + r
                                    + ","
                                    + j
                                    + "] = "
                                    + c[r * out + j]
                                    + ", expected "
                                    + want);
            }
        }
    }
}
