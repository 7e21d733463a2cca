package io.streambert.engine.model;

/**
 * The safetensors element types this engine reads: floats for weights, integers for test vectors.
 */
public enum DType {
    F32(4),
    F16(2),
    BF16(2),
    I32(4),
    I64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** The dtype for a header string, or null when this engine does not know it. */
    public static DType parse(String s) {
        for (DType d : values()) if (d.name().equals(s)) return d;
        return null;
    }
}
