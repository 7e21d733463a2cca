package io.streambert.engine;

/**
 * A device failed: no driver, out of memory, a launch error. The message names the kernel or call.
 */
public class DeviceException extends RuntimeException {
    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}
