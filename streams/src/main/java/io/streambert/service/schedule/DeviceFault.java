package io.streambert.service.schedule;

import io.streambert.engine.DeviceException;
import java.util.Locale;

/**
 * What kind of failure an {@code Encoder.encode} call raised, which decides what the scheduler
 * does:
 *
 * <ul>
 *   <li>{@link #INPUT}: the batch's content (an id outside the vocabulary, an empty sequence; any
 *       exception that is not a device exception): split the batch until the bad sequence fails
 *       alone, then dead-letter it;
 *   <li>{@link #OUT_OF_MEMORY}: the batch did not fit the device (CUDA out of memory, or the JVM's
 *       OutOfMemoryError): split it in halves; a sequence that does not fit alone is dead-lettered;
 *   <li>{@link #STICKY}: the CUDA context is lost (illegal address, launch failure, ECC error,
 *       ...): every later call fails too, so the process must give its partitions to another
 *       instance;
 *   <li>{@link #TRANSIENT}: any other device error: the batch is retried with backoff, records stay
 *       buffered.
 * </ul>
 */
public enum DeviceFault {
    INPUT,
    OUT_OF_MEMORY,
    STICKY,
    TRANSIENT;

    /**
     * CUDA driver errors after which the context is unusable (cuda.h: "the context ... must be
     * destroyed").
     */
    private static final String[] STICKY_MARKERS = {
        "CUDA_ERROR_ILLEGAL_ADDRESS",
        "CUDA_ERROR_LAUNCH_FAILED",
        "CUDA_ERROR_ECC_UNCORRECTABLE",
        "CUDA_ERROR_HARDWARE_STACK_ERROR",
        "CUDA_ERROR_ILLEGAL_INSTRUCTION",
        "CUDA_ERROR_MISALIGNED_ADDRESS",
        "CUDA_ERROR_INVALID_ADDRESS_SPACE",
        "CUDA_ERROR_INVALID_PC",
        "CUDA_ERROR_CONTEXT_IS_DESTROYED",
        "CUDA_ERROR_DEVICE_UNAVAILABLE",
        "CUDA_ERROR_NOT_PERMITTED",
        "CUDA_ERROR_SYSTEM_NOT_READY",
        "CUDA_ERROR_LAUNCH_TIMEOUT",
        "CUDA_ERROR_UNKNOWN",
        "context is lost"
    };

    public static DeviceFault classify(Throwable t) {
        boolean device = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) return OUT_OF_MEMORY;
            if (c instanceof DeviceException) device = true;
            String m = String.valueOf(c.getMessage());
            if (m.contains("CUDA_ERROR_OUT_OF_MEMORY")
                    || m.toLowerCase(Locale.ROOT).contains("out of memory")) return OUT_OF_MEMORY;
            for (String s : STICKY_MARKERS) if (m.contains(s)) return STICKY;
            if (c.getCause() == c) break;
        }
        if (t instanceof Error)
            return STICKY; // a JVM error other than OOM: this process cannot be trusted to go on
        return device ? TRANSIENT : INPUT;
    }
}
