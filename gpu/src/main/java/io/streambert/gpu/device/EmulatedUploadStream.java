package io.streambert.gpu.device;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.streambert.engine.DeviceException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * {@link EmulatedDevice}'s {@link UploadStream}, modelling an asynchronous copy stream strictly
 * enough that a missing wait fails a test: an upload does not copy when enqueued. Its destination
 * is filled with 0xff bytes at once (what a GPU's consumer could see mid-copy), and the copy lands
 * (reading the pinned source as it is then) only when an event recorded after it is waited for
 * ({@link Event#streamWait}, {@link Event#hostWait}) or the device synchronizes. Until then the
 * device refuses any launch, upload or download touching the destination, and the pinned source
 * refuses writes: each a {@link DeviceException} naming the rule.
 */
final class EmulatedUploadStream implements UploadStream {
    /** One enqueued, not yet landed upload. */
    record Copy(long seq, PinnedHost src, MemorySegment dst, long bytes) {
        boolean touches(MemorySegment s) {
            long a = dst.address(), b = a + dst.byteSize(), c = s.address(), d = c + s.byteSize();
            return a < d && c < b;
        }
    }

    private final EmulatedDevice device;
    private long seq;

    EmulatedUploadStream(EmulatedDevice device) {
        this.device = device;
    }

    final class PinnedHost implements Pinned {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment memory;
        int pendingReads;

        EmulatedUploadStream outer() {
            return EmulatedUploadStream.this;
        }

        PinnedHost(long bytes) {
            memory = arena.allocate(Math.max(bytes, 1), 16).asSlice(0, bytes);
            memory.fill((byte) 0xff);
        }

        @Override
        public long bytes() {
            return memory.byteSize();
        }

        @Override
        public void put(int[] src, long byteOffset) {
            synchronized (device.pendingUploads()) {
                if (pendingReads > 0)
                    throw new DeviceException(
                            "a pinned buffer was written while an upload from it is still pending:"
                                    + " wait for an event recorded after the upload (hostWait) first");
            }
            MemorySegment.copy(src, 0, memory, JAVA_INT, byteOffset, src.length);
        }

        @Override
        public void close() {
            synchronized (device.pendingUploads()) {
                if (pendingReads > 0)
                    throw new DeviceException(
                            "a pinned buffer was freed while an upload from it is still pending");
            }
            arena.close();
        }
    }

    @Override
    public Pinned pinned(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("pinned buffer of " + bytes + " bytes");
        return new PinnedHost(bytes);
    }

    @Override
    public void upload(Pinned src, DeviceBuffer dst, long bytes) {
        if (!(src instanceof PinnedHost p) || p.outer() != this)
            throw new IllegalArgumentException("not a pinned buffer of this upload stream");
        if (bytes < 0 || bytes > p.bytes())
            throw new IllegalArgumentException(
                    "upload of " + bytes + " bytes from a pinned buffer of " + p.bytes());
        MemorySegment d = EmulatedDevice.memory(dst, bytes, "asynchronous upload");
        List<Copy> pending = device.pendingUploads();
        synchronized (pending) {
            device.checkNotPending(d, "an asynchronous upload");
            MemorySegment target = d.asSlice(0, bytes);
            target.fill((byte) 0xff);
            p.pendingReads++;
            pending.add(new Copy(++seq, p, target, bytes));
        }
    }

    @Override
    public Event record() {
        long upTo = seq;
        return new Event() {
            @Override
            public void streamWait() {
                land(upTo);
            }

            @Override
            public void hostWait() {
                land(upTo);
            }

            @Override
            public void close() {}
        };
    }

    /** Lands this stream's uploads up to seq (in order). */
    void land(long upTo) {
        List<Copy> pending = device.pendingUploads();
        synchronized (pending) {
            for (Iterator<Copy> it = pending.iterator(); it.hasNext(); ) {
                Copy c = it.next();
                if (c.src().outer() != this || c.seq() > upTo) continue;
                MemorySegment.copy(c.src().memory, 0, c.dst(), 0, c.bytes());
                c.src().pendingReads--;
                it.remove();
            }
        }
    }

    @Override
    public void close() {
        land(Long.MAX_VALUE);
    }

    static void landAll(List<Copy> pending) {
        synchronized (pending) {
            for (Copy c : new ArrayList<>(pending)) c.src().outer().land(Long.MAX_VALUE);
        }
    }
}
