package io.streambert.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attention kernel's tile: QT queries share each loaded key / value vector; KV vectors of keys
 * (or head dims) per step.
 */
final class AttentionTile {
    private AttentionTile() {}

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int LANES = SPECIES.length();

    /** Queries per tile. */
    static final int QT = 8;

    /**
     * Vectors per step: QT x KV = 16 accumulators: enough independent FMA chains to hide the
     * latency, and each loaded key/value vector feeds 8 FMAs.
     */
    static final int KV = 2;

    /**
     * Row length of the transposed-key and score scratch for a sequence of n tokens (room for a
     * full step past the end).
     */
    static int paddedLength(int n) {
        return (n + LANES - 1) / LANES * LANES + KV * LANES;
    }
}
