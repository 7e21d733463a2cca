package io.streambert.gpu.device;

/**
 * A range of device memory. {@link #slice} gives a view at a byte offset (for per-layer weights
 * inside one allocation); freeing is the owner's job ({@link #close} on the buffer returned by
 * {@link Device#alloc}).
 */
public interface DeviceBuffer extends AutoCloseable {
    long bytes();

    /** A view of {@code bytes} bytes starting {@code offset} bytes in; not freed on its own. */
    DeviceBuffer slice(long offset, long bytes);

    @Override
    void close();
}
