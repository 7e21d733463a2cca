package io.streambert.gpu.device;

import io.streambert.engine.DeviceException;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DevicesTest {
    @Test
    void emulatedIsForcedByName() {
        try (Device d = Devices.open("emulated")) {
            assertInstanceOf(EmulatedDevice.class, d);
            assertEquals("emulated", d.name());
        }
    }

    @Test
    void autoFollowsCudaAvailability() {
        boolean gpu = CudaDevice.isAvailable();
        if (!gpu) assertFalse(CudaDevice.unavailableReason().isBlank(), "an unavailable GPU must say why");
        try (Device d = Devices.open("auto")) {
            Class<? extends Device> expected = gpu ? CudaDevice.class : EmulatedDevice.class;
            assertTrue(expected.isInstance(d), "auto opened " + d.name());
        }
    }

    @Test
    void cudaWithoutAGpuIsAClearError() {
        if (CudaDevice.isAvailable()) return;  // on a GPU machine "cuda" opens; nothing to check here
        DeviceException e = assertThrows(DeviceException.class, () -> Devices.open("cuda:0"));
        assertTrue(e.getMessage().startsWith("cuda:0 is not available: "), e.getMessage());
    }

    @Test
    void unknownChoicesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Devices.open("tpu"));
        assertThrows(IllegalArgumentException.class, () -> Devices.open("cuda:x"));
        assertThrows(IllegalArgumentException.class, () -> Devices.open("cuda:-1"));
    }
}
