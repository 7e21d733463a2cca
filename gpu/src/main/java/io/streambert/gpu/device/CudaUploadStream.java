package io.streambert.gpu.device;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;
import static jcuda.driver.JCudaDriver.cuStreamWaitEvent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

/**
 * {@link CudaDevice}'s {@link UploadStream}: pinned memory from cuMemHostAlloc, a non-blocking
 * stream (no implicit ordering with the default stream the kernels run on), cuMemcpyHtoDAsync on
 * it, events without timing; {@link Event#streamWait} is cuStreamWaitEvent on the default stream,
 * {@link Event#hostWait} cuEventSynchronize. NEVER RUN: this project has no GPU; the emulated
 * device checks the same rules ({@link EmulatedUploadStream}).
 */
final class CudaUploadStream implements UploadStream {
    private final CudaDevice device;
    private final CUstream stream = new CUstream();

    CudaUploadStream(CudaDevice device) {
        this.device = device;
        try {
            device.current();
            cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        } catch (CudaException e) {
            throw device.failure("cuStreamCreate (upload stream)", e);
        }
    }

    private final class HostPinned implements Pinned {
        private final Pointer host = new Pointer();
        private final ByteBuffer view;
        private final long bytes;

        HostPinned(long bytes) {
            this.bytes = bytes;
            try {
                device.current();
                cuMemHostAlloc(host, Math.max(bytes, 1), 0);
            } catch (CudaException e) {
                throw device.failure("cuMemHostAlloc(" + bytes + " bytes)", e);
            }
            view = host.getByteBuffer(0, bytes).order(ByteOrder.nativeOrder());
        }

        @Override
        public long bytes() {
            return bytes;
        }

        @Override
        public void put(int[] src, long byteOffset) {
            view.duplicate()
                    .order(ByteOrder.nativeOrder())
                    .position(Math.toIntExact(byteOffset))
                    .asIntBuffer()
                    .put(src);
        }

        @Override
        public void close() {
            try {
                device.current();
                cuMemFreeHost(host);
            } catch (CudaException e) {
                throw device.failure("cuMemFreeHost", e);
            }
        }
    }

    @Override
    public Pinned pinned(long bytes) {
        if (bytes < 0 || bytes > Integer.MAX_VALUE)
            throw new IllegalArgumentException("pinned buffer of " + bytes + " bytes");
        return new HostPinned(bytes);
    }

    @Override
    public void upload(Pinned src, DeviceBuffer dst, long bytes) {
        if (!(src instanceof HostPinned p))
            throw new IllegalArgumentException("not a pinned buffer of this upload stream");
        if (bytes < 0 || bytes > p.bytes() || !(dst instanceof CudaBuffer d) || bytes > d.bytes())
            throw new IllegalArgumentException(
                    "upload of " + bytes + " bytes: source or destination too small");
        try {
            device.current();
            cuMemcpyHtoDAsync(d.pointer(), p.host, bytes, stream);
        } catch (CudaException e) {
            throw device.failure("cuMemcpyHtoDAsync (" + bytes + " bytes)", e);
        }
    }

    @Override
    public Event record() {
        CUevent e = new CUevent();
        try {
            device.current();
            cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING);
            cuEventRecord(e, stream);
        } catch (CudaException x) {
            throw device.failure("cuEventRecord (upload stream)", x);
        }
        return new Event() {
            @Override
            public void streamWait() {
                try {
                    device.current();
                    cuStreamWaitEvent(null, e, 0); // the default stream, where kernels run
                } catch (CudaException x) {
                    throw device.failure("cuStreamWaitEvent", x);
                }
            }

            @Override
            public void hostWait() {
                try {
                    device.current();
                    cuEventSynchronize(e);
                } catch (CudaException x) {
                    throw device.failure("cuEventSynchronize (upload stream)", x);
                }
            }

            @Override
            public void close() {
                try {
                    device.current();
                    cuEventDestroy(e);
                } catch (CudaException x) {
                    throw device.failure("cuEventDestroy", x);
                }
            }
        };
    }

    @Override
    public void close() {
        try {
            device.current();
            cuStreamSynchronize(stream);
            cuStreamDestroy(stream);
        } catch (CudaException e) {
            throw device.failure("closing the upload stream", e);
        }
    }
}
