package io.streambert.gpu.device;

/**
 * A second stream for host-to-device copies from pinned (page-locked) host memory, so the next
 * batch's inputs can be uploaded while the device's own stream still computes the current one.
 * Copies are ordered against the device's stream only by events: {@link Event#streamWait} makes the
 * device's stream (every later launch, upload and download) wait for them, {@link Event#hostWait}
 * makes the host wait (before it writes a pinned buffer again).
 *
 * <p>The rules, the same on every device: after {@link #upload} returns, the destination may not be
 * read or written, and the pinned source not written, until an event recorded after the upload has
 * been waited for ({@code streamWait} for the device's work, {@code hostWait} for the host's). On a
 * GPU a broken rule is a data race; {@link EmulatedDevice} enforces the rules (a launch or copy
 * touching a destination whose upload was not waited for, or a write to a pinned buffer with a
 * pending upload, throws), and the copy itself only lands when it is waited for, so a missing wait
 * cannot go unnoticed there. {@link CudaDevice}: cuMemHostAlloc, a non-blocking stream,
 * cuMemcpyHtoDAsync, cuEventRecord, cuStreamWaitEvent on the default stream, cuEventSynchronize
 * (never run: no GPU here). Devices without streams get {@link Device#uploadStream}'s default,
 * which copies at once.
 */
public interface UploadStream extends AutoCloseable {

    /** Page-locked host memory of {@code bytes} bytes: the source of {@link #upload}. */
    Pinned pinned(long bytes);

    /** Enqueues the copy of src's first {@code bytes} bytes to dst; returns at once. */
    void upload(Pinned src, DeviceBuffer dst, long bytes);

    /** An event after every upload enqueued so far. */
    Event record();

    @Override
    void close();

    /** Pinned host memory, written by the host. */
    interface Pinned extends AutoCloseable {
        long bytes();

        /** Writes src at byteOffset (native byte order, as device ints). */
        void put(int[] src, long byteOffset);

        @Override
        void close();
    }

    /** A point on the upload stream. */
    interface Event extends AutoCloseable {
        /** The device's own stream waits for it: later launches and copies see the uploads. */
        void streamWait();

        /** The host waits for it: the pinned sources may be written again. */
        void hostWait();

        /** Releases the event (the uploads before it still complete). */
        @Override
        void close();
    }
}
