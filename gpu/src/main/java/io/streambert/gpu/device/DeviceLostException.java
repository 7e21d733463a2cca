package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;

/**
 * A sticky CUDA error (illegal address, launch failure, ECC, ...): the context is unusable for the
 * rest of the process, so every later call on the device fails with this too. Whoever owns the
 * device treats it as lost.
 */
public class DeviceLostException extends DeviceException {
    public DeviceLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
