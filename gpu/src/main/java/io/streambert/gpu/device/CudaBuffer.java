package io.streambert.gpu.device;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuMemFree;

import io.streambert.engine.DeviceException;
import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;

/** {@link CudaDevice}'s memory: a device pointer; slices are views that free nothing. */
final class CudaBuffer implements DeviceBuffer {
    /**
     * JCuda's device pointer with its raw address readable (for libraries bound through FFM, e.g.
     * cuBLAS).
     */
    static final class Address extends CUdeviceptr {
        long value() {
            return getNativePointer() + getByteOffset();
        }
    }

    private final CUcontext context; // the allocating context: made current to free the memory
    private final Address base;
    private final long offset;
    private final long bytes;
    private final boolean owner;
    private boolean closed;

    CudaBuffer(CUcontext context, Address base, long offset, long bytes, boolean owner) {
        this.context = context;
        this.base = base;
        this.offset = offset;
        this.bytes = bytes;
        this.owner = owner;
    }

    /** The pointer for JCuda calls. */
    CUdeviceptr pointer() {
        if (closed) throw new DeviceException("device buffer used after close()");
        return offset == 0 ? base : base.withByteOffset(offset);
    }

    /** The raw device address, for calls through FFM. */
    long address() {
        if (closed) throw new DeviceException("device buffer used after close()");
        return base.value() + offset;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    @Override
    public DeviceBuffer slice(long off, long length) {
        if (off < 0 || length < 0 || off + length > bytes)
            throw new IllegalArgumentException(
                    "slice ["
                            + off
                            + ", "
                            + (off + length)
                            + ") outside a buffer of "
                            + bytes
                            + " bytes");
        if (closed) throw new DeviceException("device buffer used after close()");
        return new CudaBuffer(context, base, offset + off, length, false);
    }

    @Override
    public void close() {
        if (!owner || closed) return;
        closed = true;
        try {
            cuCtxSetCurrent(context);
            cuMemFree(base);
        } catch (CudaException e) {
            throw new DeviceException("cuMemFree: " + e.getMessage(), e);
        }
    }
}
