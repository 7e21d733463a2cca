package io.streambert.engine.cpu;

/**
 * bfloat16 as the top 16 bits of a float: conversion with round-to-nearest-even, as vcvtneps2bf16
 * does.
 */
public final class Bf16 {
    private Bf16() {}

    /** f rounded to the nearest bfloat16 (ties to even); NaN stays a (quiet) NaN. */
    public static short fromFloat(float f) {
        int b = Float.floatToRawIntBits(f);
        if ((b & 0x7fffffff) > 0x7f800000) return (short) ((b >>> 16) | 0x40);
        b += 0x7fff + ((b >>> 16) & 1);
        return (short) (b >>> 16);
    }

    public static float toFloat(short h) {
        return Float.intBitsToFloat((h & 0xffff) << 16);
    }

    /** f rounded to bfloat16 and back. */
    public static float round(float f) {
        return toFloat(fromFloat(f));
    }
}
