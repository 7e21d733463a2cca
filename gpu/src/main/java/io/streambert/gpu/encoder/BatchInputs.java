package io.streambert.gpu.encoder;

import io.streambert.engine.PackedBatch;
import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;
import io.streambert.gpu.device.UploadStream;
import io.streambert.gpu.kernels.AttentionTiling;
import io.streambert.gpu.kernels.SequenceTiles;

/**
 * A batch's inputs on the device (ids, cu_seqlens, the attention tile table), uploaded from pinned
 * host memory on the device's {@link UploadStream}. Two slots, used in turn: {@link #stage} fills
 * the next slot's pinned buffers and enqueues their uploads, returning at once, so the next batch
 * can be staged while the device still computes the current one; {@link #use} makes the device's
 * stream wait for a batch's uploads (staging it first if it was not) and returns its buffers.
 *
 * <p>Ordering: the device's stream waits for the upload event before the first kernel reads the
 * inputs (streamWait); the host waits for a slot's previous upload event before it writes that
 * slot's pinned buffers again (hostWait). A slot's device buffers are only rewritten by a stage
 * issued after the batch that used them has returned from the (host-synchronous) forward pass, so
 * no kernel still reads them.
 */
final class BatchInputs implements AutoCloseable {
    /** The device buffers of a staged batch. */
    record Staged(DeviceBuffer ids, DeviceBuffer cuSeqlens, DeviceBuffer tiles) {}

    private final Device device;
    private final UploadStream stream;
    private final AttentionTiling tiling;
    private final Slot[] slots = {new Slot(), new Slot()};
    private int next;

    BatchInputs(Device device, AttentionTiling tiling) {
        this.device = device;
        this.tiling = tiling;
        this.stream = device.uploadStream();
    }

    private final class Slot {
        PackedBatch batch;
        UploadStream.Pinned[] host = new UploadStream.Pinned[3];
        DeviceBuffer[] dev = new DeviceBuffer[3];
        UploadStream.Event done;

        void fill(PackedBatch b, SequenceTiles seqs) {
            if (done != null) { // the pinned buffers may still be read by the previous upload
                done.hostWait();
                done.close();
                done = null;
            }
            batch = null;
            int[][] data = {b.ids(), seqs.cuSeqlens(), seqs.queryTileTable(tiling)};
            for (int i = 0; i < 3; i++) {
                long bytes = 4L * data[i].length;
                if (host[i] == null || host[i].bytes() < bytes) {
                    long size =
                            Math.max(
                                    Math.max(bytes, 256),
                                    host[i] == null ? 0 : 2 * host[i].bytes());
                    if (host[i] != null) host[i].close();
                    if (dev[i] != null) dev[i].close();
                    host[i] = null;
                    dev[i] = null;
                    host[i] = stream.pinned(size);
                    dev[i] = device.alloc(size);
                }
                host[i].put(data[i], 0);
                stream.upload(host[i], dev[i], bytes);
            }
            done = stream.record();
            batch = b;
        }
    }

    /** Enqueues the uploads of {@code b}'s inputs into the next slot; returns at once. */
    void stage(PackedBatch b, SequenceTiles seqs) {
        slots[next].fill(b, seqs);
        next = 1 - next;
    }

    /**
     * The device buffers of {@code b}'s inputs, the device's stream ordered after their uploads.
     *
     * <p>A slot is matched by identity: it holds the uploads of that very batch object, staged by
     * {@link #stage}; an equal but different batch has not been uploaded.
     */
    @SuppressWarnings("ReferenceEquality")
    Staged use(PackedBatch b, SequenceTiles seqs) {
        Slot s = slots[0].batch == b ? slots[0] : slots[1].batch == b ? slots[1] : null;
        if (s == null) {
            s = slots[next];
            stage(b, seqs);
        }
        s.done.streamWait();
        return new Staged(s.dev[0], s.dev[1], s.dev[2]);
    }

    @Override
    public void close() {
        for (Slot s : slots) {
            if (s.done != null) {
                s.done.hostWait();
                s.done.close();
            }
            for (int i = 0; i < 3; i++) {
                if (s.host[i] != null) s.host[i].close();
                if (s.dev[i] != null) s.dev[i].close();
            }
        }
        stream.close();
    }
}
