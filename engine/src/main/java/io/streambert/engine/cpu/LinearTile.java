package io.streambert.engine.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of the linear kernel, shared by {@link PackedLinear} (which lays panels out NR
 * wide) and {@link LinearKernel} (which holds an MR x NR block of outputs in registers).
 *
 * <p>MR = 6 rows x 2 vectors = 12 accumulators, plus 2 weight vectors and a broadcast: 15
 * registers, which fits both AVX2's 16 and AVX-512's 32 without spilling.
 */
final class LinearTile {
    private LinearTile() {}

    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    /** Floats per vector (16 with AVX-512). */
    static final int LANES = SPECIES.length();

    /** Vectors of output columns per tile. */
    static final int NV = 2;

    /** Output columns per panel / tile. */
    static final int NR = NV * LANES;

    /** Rows per tile. */
    static final int MR = 6;

    /** Inner-dimension block: a panel slice of KC x NR floats (32 KiB with AVX-512) stays in L1. */
    static final int KC = 256;

    /**
     * Target bytes of x rows per row block, so the block stays in L2 while the panels pass over it.
     */
    static final int ROW_BLOCK_BYTES = 384 * 1024;
}
