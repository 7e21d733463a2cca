package io.streambert.gpu.encoder;

import io.streambert.engine.cpu.RopeTable;
import io.streambert.engine.model.HeadWeights;
import io.streambert.engine.model.LayerWeights;
import io.streambert.engine.model.ModelConfig;
import io.streambert.engine.model.ModelLoadException;
import io.streambert.engine.model.ModernBertWeights;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.kernels.RopeLaunch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The model on the device, uploaded once at open: matrices (GEMM operands, and the embedding table)
 * as bf16, norm weights and biases as fp32 (the kernels and the GEMM read them so), one buffer per
 * tensor; absent optional tensors are null. Also the RoPE cos/sin tables, fp32 [maxTokens,
 * headDim/2], one per distinct theta.
 */
final class DeviceWeights implements AutoCloseable {
    record Layer(
            DeviceBuffer attnNormW,
            DeviceBuffer attnNormB,
            DeviceBuffer wqkv,
            DeviceBuffer wqkvB,
            DeviceBuffer wo,
            DeviceBuffer woB,
            DeviceBuffer mlpNormW,
            DeviceBuffer mlpNormB,
            DeviceBuffer wi,
            DeviceBuffer wiB,
            DeviceBuffer mlpWo,
            DeviceBuffer mlpWoB,
            Rope rope,
            int window) {}

    /**
     * The RoPE cos/sin tables of one theta on the device, built lazily: {@link
     * RopeTable#INITIAL_POSITIONS} rows (or the token limit, if smaller) at load, grown by doubling
     * up to the limit when a longer sequence arrives, so a max_position_embeddings of millions
     * costs no device memory until such a sequence is run.
     */
    final class Rope {
        private final double theta;
        private final int headDim, limit;
        private DeviceBuffer cos, sin;
        private int positions;

        Rope(double theta, int headDim, int limit) {
            this.theta = theta;
            this.headDim = headDim;
            this.limit = limit;
            grow(Math.min(limit, RopeTable.INITIAL_POSITIONS));
        }

        /** Makes the tables cover {@code needed} positions (at most the limit). */
        void ensure(int needed) {
            if (needed > positions)
                grow((int) Math.min(limit, Math.max((long) needed, 2L * positions)));
        }

        private void grow(int rows) {
            float[][] t = RopeLaunch.table(theta, headDim, rows);
            DeviceBuffer c = f32(t[0]), s = f32(t[1]);
            if (cos != null) release(cos);
            if (sin != null) release(sin);
            cos = c;
            sin = s;
            positions = rows;
        }

        DeviceBuffer cos() {
            return cos;
        }

        DeviceBuffer sin() {
            return sin;
        }

        int positions() {
            return positions;
        }
    }

    record Head(
            DeviceBuffer denseW,
            DeviceBuffer denseB,
            DeviceBuffer normW,
            DeviceBuffer normB,
            DeviceBuffer classifierW,
            DeviceBuffer classifierB,
            float[] denseBias,
            int labels) {}

    private final Device device;
    private final List<DeviceBuffer> owned = new ArrayList<>();
    private final List<Rope> ropes = new ArrayList<>();
    final DeviceBuffer tokEmb, embNormW, embNormB, finalNormW, finalNormB;
    final List<Layer> layers;
    final Head head; // null without a classifier

    DeviceWeights(Device device, ModelConfig cfg, ModernBertWeights w, int maxTokens, Path dir) {
        this.device = device;
        try {
            tokEmb = bf16(w.tokEmbeddings());
            embNormW = f32(w.embNormWeight());
            embNormB = f32(w.embNormBias());
            finalNormW = f32(w.finalNormWeight());
            finalNormB = f32(w.finalNormBias());
            Rope global = rope(cfg.globalRopeTheta(), cfg.headDim(), maxTokens);
            Rope local =
                    cfg.localRopeTheta() == cfg.globalRopeTheta()
                            ? global
                            : rope(cfg.localRopeTheta(), cfg.headDim(), maxTokens);
            List<Layer> ls = new ArrayList<>();
            for (int i = 0; i < cfg.numLayers(); i++) {
                LayerWeights l = w.layers().get(i);
                // layers after the first get their attn_norm fused into the previous layer's
                // residual add
                if (i > 0 && l.attnNormWeight() == null)
                    throw new ModelLoadException(
                            dir
                                    + ": layer "
                                    + i
                                    + " has no attn_norm weight; only layer 0 may lack it");
                ls.add(
                        new Layer(
                                f32(l.attnNormWeight()),
                                f32(l.attnNormBias()),
                                bf16(l.wqkv()),
                                f32(l.wqkvBias()),
                                bf16(l.wo()),
                                f32(l.woBias()),
                                f32(l.mlpNormWeight()),
                                f32(l.mlpNormBias()),
                                bf16(l.wi()),
                                f32(l.wiBias()),
                                bf16(l.mlpWo()),
                                f32(l.mlpWoBias()),
                                cfg.isGlobal(i) ? global : local,
                                cfg.halfWindow(i)));
            }
            layers = List.copyOf(ls);
            HeadWeights h = w.head();
            head =
                    h == null
                            ? null
                            : new Head(
                                    bf16(h.denseWeight()),
                                    f32(h.denseBias()),
                                    f32(h.normWeight()),
                                    f32(h.normBias()),
                                    bf16(h.classifierWeight()),
                                    f32(h.classifierBias()),
                                    h.denseBias(),
                                    h.numLabels());
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private Rope rope(double theta, int headDim, int maxTokens) {
        Rope r = new Rope(theta, headDim, maxTokens);
        ropes.add(r);
        return r;
    }

    /** Grows every RoPE table to cover sequences of {@code positions} tokens. */
    void ensureRope(int positions) {
        for (Rope r : ropes) r.ensure(positions);
    }

    private DeviceBuffer bf16(float[] x) {
        if (x == null) return null;
        DeviceBuffer b = own(2L * x.length);
        device.uploadBf16(x, b);
        return b;
    }

    private DeviceBuffer f32(float[] x) {
        if (x == null) return null;
        DeviceBuffer b = own(4L * x.length);
        device.upload(x, b);
        return b;
    }

    private DeviceBuffer own(long bytes) {
        DeviceBuffer b = device.alloc(Math.max(bytes, 4));
        owned.add(b);
        return b;
    }

    private void release(DeviceBuffer b) {
        owned.remove(b);
        b.close();
    }

    @Override
    public void close() {
        owned.forEach(DeviceBuffer::close);
        owned.clear();
    }
}
