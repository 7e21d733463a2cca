package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@link EmulatedDevice}'s "device" memory: native memory the emulated kernels address directly.
 */
final class HostBuffer implements DeviceBuffer {
    private final MemorySegment segment;
    private final Arena owner; // null for a slice: the parent frees the memory

    HostBuffer(MemorySegment segment, Arena owner) {
        this.segment = segment;
        this.owner = owner;
    }

    MemorySegment segment() {
        if (!segment.scope().isAlive())
            throw new DeviceException("device buffer used after close()");
        return segment;
    }

    @Override
    public long bytes() {
        return segment.byteSize();
    }

    @Override
    public DeviceBuffer slice(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > segment.byteSize())
            throw new IllegalArgumentException(
                    "slice ["
                            + offset
                            + ", "
                            + (offset + bytes)
                            + ") outside a buffer of "
                            + segment.byteSize()
                            + " bytes");
        return new HostBuffer(segment.asSlice(offset, bytes), null);
    }

    @Override
    public void close() {
        if (owner != null && owner.scope().isAlive()) owner.close();
    }
}
