package io.streambert.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The one parser of --device / model.device / -Dstreambert.device. */
class DeviceSpecTest {
    @Test
    void parsesEveryWordOneWay() {
        assertEquals(DeviceSpec.AUTO, DeviceSpec.parse("auto"));
        assertEquals(DeviceSpec.AUTO, DeviceSpec.parse(null));
        assertEquals(DeviceSpec.AUTO, DeviceSpec.parse("  "));
        assertEquals(DeviceSpec.CPU, DeviceSpec.parse(" CPU "));
        assertEquals(DeviceSpec.EMULATED, DeviceSpec.parse("emulated"));
        assertEquals(DeviceSpec.cuda(0), DeviceSpec.parse("cuda"));
        assertEquals(DeviceSpec.cuda(0), DeviceSpec.parse("cuda:0"));
        assertEquals(DeviceSpec.cuda(3), DeviceSpec.parse("Cuda:3"));
        assertEquals("cuda:3", DeviceSpec.parse("cuda:3").toString());
        assertEquals("auto", DeviceSpec.AUTO.toString());
    }

    @Test
    void rejectsWhatItDoesNotKnowAndSaysWhatItKnows() {
        for (String bad : new String[] {"tpu", "cuda:", "cuda:x", "cuda:-1", "gpu", "cuda0"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertTrue(
                assertThrows(IllegalArgumentException.class, () -> DeviceSpec.parse("tpu"))
                        .getMessage()
                        .contains(DeviceSpec.CHOICES));
    }
}
