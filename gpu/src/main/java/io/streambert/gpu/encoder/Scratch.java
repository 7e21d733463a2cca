package io.streambert.gpu.encoder;

import io.streambert.gpu.device.Device;
import io.streambert.gpu.device.DeviceBuffer;

import java.util.HashMap;
import java.util.Map;

/**
 * The activation buffers of a forward pass, by name, sized for the largest batch seen so far: a bigger batch
 * reallocates (to at least twice the old size, so a slowly growing load does not reallocate every batch).
 */
final class Scratch implements AutoCloseable {
    private final Device device;
    private final Map<String, DeviceBuffer> buffers = new HashMap<>();

    Scratch(Device device) {
        this.device = device;
    }

    /** A buffer of at least {@code bytes} bytes; its contents are undefined. */
    DeviceBuffer get(String name, long bytes) {
        DeviceBuffer b = buffers.get(name);
        if (b == null || b.bytes() < bytes) {
            long size = Math.max(Math.max(bytes, 256), b == null ? 0 : 2 * b.bytes());
            if (b != null) b.close();
            b = device.alloc(size);
            buffers.put(name, b);
        }
        return b;
    }

    @Override
    public void close() {
        buffers.values().forEach(DeviceBuffer::close);
        buffers.clear();
    }
}
