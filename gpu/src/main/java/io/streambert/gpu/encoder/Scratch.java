package io.streambert.gpu.encoder;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import java.util.List;

/**
 * The activation buffers of a forward pass, one typed field each, with its dtype and shape in the
 * accessor that sizes it. A buffer is sized for the largest batch seen so far: a bigger batch
 * reallocates (to at least twice the old size, so a slowly growing load does not reallocate every
 * batch). Contents are undefined on return. Shapes: n = tokens of the batch, b = sequences, h =
 * hidden, inter = intermediate size.
 */
final class Scratch implements AutoCloseable {

    /** One reusable device buffer that only grows. */
    private static final class Slot {
        private DeviceBuffer buffer;

        DeviceBuffer atLeast(Device device, long bytes) {
            if (buffer == null || buffer.bytes() < bytes) {
                long size = Math.max(Math.max(bytes, 256), buffer == null ? 0 : 2 * buffer.bytes());
                if (buffer != null) buffer.close();
                buffer = null;
                buffer = device.alloc(size);
            }
            return buffer;
        }

        void close() {
            if (buffer != null) buffer.close();
            buffer = null;
        }
    }

    private final Device device;
    private final int hidden, inter, labels;
    private final Slot residual = new Slot(),
            normed = new Slot(),
            qkv = new Slot(),
            attn = new Slot();
    private final Slot up = new Slot(), act = new Slot();
    private final Slot headPooled = new Slot(),
            headPooledBf16 = new Slot(),
            dense = new Slot(),
            denseBf16 = new Slot();
    private final Slot logits = new Slot(), embPooled = new Slot(), embTruncated = new Slot();

    Scratch(Device device, int hidden, int inter, int labels) {
        this.device = device;
        this.hidden = hidden;
        this.inter = inter;
        this.labels = labels;
    }

    /** fp32 [n, h]: the residual stream x. */
    DeviceBuffer residual(int n) {
        return residual.atLeast(device, 4L * n * hidden);
    }

    /**
     * bf16 [n, h]: the LayerNorm output every GEMM reads; after the last layer, the final hidden
     * states.
     */
    DeviceBuffer normed(int n) {
        return normed.atLeast(device, 2L * n * hidden);
    }

    /** bf16 [n, 3h]: q, k, v. */
    DeviceBuffer qkv(int n) {
        return qkv.atLeast(device, 2L * n * 3 * hidden);
    }

    /** bf16 [n, h]: the attention output. */
    DeviceBuffer attn(int n) {
        return attn.atLeast(device, 2L * n * hidden);
    }

    /** bf16 [n, 2 inter]: Wi's output (gate and value halves). */
    DeviceBuffer up(int n) {
        return up.atLeast(device, 2L * n * 2 * inter);
    }

    /** bf16 [n, inter]: GeGLU's output. */
    DeviceBuffer act(int n) {
        return act.atLeast(device, 2L * n * inter);
    }

    /** fp32 [b, h]: the classifier's pooled rows. */
    DeviceBuffer headPooled(int b) {
        return headPooled.atLeast(device, 4L * b * hidden);
    }

    /** bf16 [b, h]: the same, as the dense GEMM reads them. */
    DeviceBuffer headPooledBf16(int b) {
        return headPooledBf16.atLeast(device, 2L * b * hidden);
    }

    /** fp32 [b, h]: the head's dense output. */
    DeviceBuffer dense(int b) {
        return dense.atLeast(device, 4L * b * hidden);
    }

    /** bf16 [b, h]: the head's LayerNorm output, as the classifier GEMM reads it. */
    DeviceBuffer denseBf16(int b) {
        return denseBf16.atLeast(device, 2L * b * hidden);
    }

    /** fp32 [b, labels]: logits, then scores in place. */
    DeviceBuffer logits(int b) {
        return logits.atLeast(device, 4L * b * labels);
    }

    /** fp32 [b, h]: the embedding's pooled rows. */
    DeviceBuffer embPooled(int b) {
        return embPooled.atLeast(device, 4L * b * hidden);
    }

    /** fp32 [b, dim]: Matryoshka-truncated rows, contiguous. */
    DeviceBuffer embTruncated(int b, int dim) {
        return embTruncated.atLeast(device, 4L * b * dim);
    }

    @Override
    public void close() {
        for (Slot s :
                List.of(
                        residual,
                        normed,
                        qkv,
                        attn,
                        up,
                        act,
                        headPooled,
                        headPooledBf16,
                        dense,
                        denseBf16,
                        logits,
                        embPooled,
                        embTruncated)) {
            s.close();
        }
    }
}
