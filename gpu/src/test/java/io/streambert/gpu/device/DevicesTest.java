package io.streambert.gpu.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streambert.engine.DeviceException;
import io.streambert.engine.DeviceSpec;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void emulatedIsForcedByName() {
        try (Device d = Devices.open(DeviceSpec.parse("emulated"))) {
            assertInstanceOf(EmulatedDevice.class, d);
            assertEquals("emulated", d.name());
        }
    }

    /**
     * auto and cpu mean the same everywhere (Encoders: a usable GPU, else the CPU backend): they
     * are not devices.
     */
    @Test
    void autoAndCpuAreNotDevices() {
        if (!CudaDevice.isAvailable())
            assertFalse(
                    CudaDevice.unavailableReason().isBlank(), "an unavailable GPU must say why");
        assertThrows(IllegalArgumentException.class, () -> Devices.open(DeviceSpec.AUTO));
        assertThrows(IllegalArgumentException.class, () -> Devices.open(DeviceSpec.CPU));
    }

    @Test
    void cudaWithoutAGpuIsAClearError() {
        if (CudaDevice.isAvailable())
            return; // on a GPU machine "cuda" opens; nothing to check here
        DeviceException e =
                assertThrows(DeviceException.class, () -> Devices.open(DeviceSpec.parse("cuda:0")));
        assertTrue(e.getMessage().startsWith("cuda:0 is not available: "), e.getMessage());
    }

    @Test
    void unknownChoicesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("tpu"));
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("cuda:x"));
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("cuda:-1"));
    }
}
