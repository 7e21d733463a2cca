package io.streambert.gpu.device;

import java.util.Objects;

/**
 * A device that hands every call to another: the base for wrappers that change a few calls (timing
 * launches, failing an allocation, counting closes) and leave the rest to the device that does the
 * work. Every {@link Device} method is forwarded, the defaulted ones too, so a wrapper keeps the
 * inner device's upload stream and marks.
 */
public abstract class ForwardingDevice implements Device {
    private final Device inner;

    protected ForwardingDevice(Device inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
    }

    /** The device that does the work. */
    public Device inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public DeviceBuffer alloc(long bytes) {
        return inner.alloc(bytes);
    }

    @Override
    public void upload(float[] src, DeviceBuffer dst) {
        inner.upload(src, dst);
    }

    @Override
    public void uploadBf16(float[] src, DeviceBuffer dst) {
        inner.uploadBf16(src, dst);
    }

    @Override
    public void upload(int[] src, DeviceBuffer dst) {
        inner.upload(src, dst);
    }

    @Override
    public void download(DeviceBuffer src, float[] dst) {
        inner.download(src, dst);
    }

    @Override
    public void downloadBf16(DeviceBuffer src, float[] dst) {
        inner.downloadBf16(src, dst);
    }

    @Override
    public void download(DeviceBuffer src, int[] dst) {
        inner.download(src, dst);
    }

    @Override
    public void launch(
            String kernel, Dim3 grid, Dim3 block, int dynamicSharedBytes, Object... args) {
        inner.launch(kernel, grid, block, dynamicSharedBytes, args);
    }

    @Override
    public UploadStream uploadStream() {
        return inner.uploadStream();
    }

    @Override
    public void synchronize() {
        inner.synchronize();
    }

    @Override
    public Object mark() {
        return inner.mark();
    }

    @Override
    public double elapsedMs(Object from, Object to) {
        return inner.elapsedMs(from, to);
    }

    @Override
    public void close() {
        inner.close();
    }
}
