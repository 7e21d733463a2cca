package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;

import jcuda.CudaException;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuMemFree;

/** {@link CudaDevice}'s memory: a device pointer; slices are views that free nothing. */
final class CudaBuffer implements DeviceBuffer {
    private final CUcontext context;  // the allocating context: made current to free the memory
    private final CUdeviceptr pointer;
    private final long bytes;
    private final boolean owner;
    private boolean closed;

    CudaBuffer(CUcontext context, CUdeviceptr pointer, long bytes, boolean owner) {
        this.context = context;
        this.pointer = pointer;
        this.bytes = bytes;
        this.owner = owner;
    }

    CUdeviceptr pointer() {
        if (closed) throw new DeviceException("device buffer used after close()");
        return pointer;
    }

    @Override
    public long bytes() { return bytes; }

    @Override
    public DeviceBuffer slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > bytes)
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length) + ") outside a buffer of " + bytes + " bytes");
        return new CudaBuffer(context, pointer().withByteOffset(offset), length, false);
    }

    @Override
    public void close() {
        if (!owner || closed) return;
        closed = true;
        try {
            cuCtxSetCurrent(context);
            cuMemFree(pointer);
        } catch (CudaException e) {
            throw new DeviceException("cuMemFree: " + e.getMessage(), e);
        }
    }
}
