package io.streambert.gpu.device;

import java.util.Arrays;

/**
 * {@link Device#uploadStream}'s default for devices without a second stream: "pinned" memory is a
 * Java array and an upload copies at once with {@link Device#upload(int[], DeviceBuffer)}; events
 * are already complete.
 */
final class ImmediateUploadStream implements UploadStream {
    private final Device device;

    ImmediateUploadStream(Device device) {
        this.device = device;
    }

    private record ArrayPinned(int[] data) implements Pinned {
        @Override
        public long bytes() {
            return 4L * data.length;
        }

        @Override
        public void put(int[] src, long byteOffset) {
            System.arraycopy(src, 0, data, Math.toIntExact(byteOffset / 4), src.length);
        }

        @Override
        public void close() {}
    }

    private static final Event DONE =
            new Event() {
                @Override
                public void streamWait() {}

                @Override
                public void hostWait() {}

                @Override
                public void close() {}
            };

    @Override
    public Pinned pinned(long bytes) {
        if (bytes < 0 || bytes % 4 != 0 || bytes / 4 > Integer.MAX_VALUE)
            throw new IllegalArgumentException("pinned buffer of " + bytes + " bytes");
        return new ArrayPinned(new int[(int) (bytes / 4)]);
    }

    @Override
    public void upload(Pinned src, DeviceBuffer dst, long bytes) {
        if (!(src instanceof ArrayPinned p))
            throw new IllegalArgumentException("not a pinned buffer of this upload stream");
        if (bytes < 0 || bytes > p.bytes() || bytes % 4 != 0)
            throw new IllegalArgumentException(
                    "upload of " + bytes + " bytes from a pinned buffer of " + p.bytes());
        device.upload(Arrays.copyOf(p.data(), (int) (bytes / 4)), dst);
    }

    @Override
    public Event record() {
        return DONE;
    }

    @Override
    public void close() {}
}
