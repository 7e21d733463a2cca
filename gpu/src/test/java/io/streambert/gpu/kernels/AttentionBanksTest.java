package io.streambert.gpu.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Shared-memory bank arithmetic of sb_attention.cu's transposed V tile (Vt), which the emulator
 * does not model: this test restates the kernel's index formulas (see Smem::vt_index and the tile
 * load loop) and counts, for every warp-wide access, the largest number of distinct 32-bit words
 * that fall on one of the 32 banks (1 = conflict-free; two lanes in the same word are not a
 * conflict). It pins the claim in the kernel's comment: the old unswizzled layout had an 8-way
 * conflict on the transposing stores at head dim 64 (4-way at 32); the swizzled one has none, on
 * the stores and on the PV fragment reads, for head dims 32, 64 and 128. That the kernel computes
 * with this layout correctly is AttentionKernelTest's job. A model of the address formulas, not a
 * measurement.
 */
class AttentionBanksTest {
    private static final int STRIDE = AttentionTiling.BLOCK_K + AttentionTiling.KPAD; // bf16

    /** The swizzled layout: element (dim d, key) of Vt, in bf16 units. */
    static int swizzled(int d, int key) {
        int ci = d >> 3, f = (ci & 3) | ((((ci >> 2) ^ (ci >> 3)) & 1) << 2);
        return d * STRIDE + 2 * ((key >> 1) ^ (4 * f)) + (key & 1);
    }

    /** The layout before: Vt[d][key] plainly. */
    static int plain(int d, int key) {
        return d * STRIDE + key;
    }

    @Test
    void swizzleIsAPermutationOfEachRowKeepingKeyPairsInOneWord() {
        for (int hd : new int[] {32, 64, 128}) {
            for (int d = 0; d < hd; d++) {
                Set<Integer> seen = new HashSet<>();
                for (int key = 0; key < AttentionTiling.BLOCK_K; key++) {
                    int at = swizzled(d, key);
                    assertTrue(at >= d * STRIDE && at < d * STRIDE + AttentionTiling.BLOCK_K);
                    assertTrue(seen.add(at));
                    if (key % 2 == 1) assertEquals(swizzled(d, key - 1) + 1, at);
                }
            }
        }
    }

    @Test
    void eachWarpStepHoldsTheRopePartnerChunkInLaneXorHalfTheSlots() {
        for (int hd : new int[] {32, 64, 128}) {
            int chunks = hd / 8, loadChunks = Math.min(chunks, 8), loadKeys = 32 / loadChunks;
            int groups = chunks / loadChunks, p = loadChunks / 2;
            Set<Integer> all = new HashSet<>();
            for (int ws = 0; ws < AttentionTiling.BLOCK_K * chunks / 32; ws++) {
                for (int l = 0; l < 32; l++) {
                    int slot = l % loadChunks, partnerSlot = slot ^ p;
                    int key = (ws / groups) * loadKeys + l / loadChunks;
                    int chunk = slot % p + (ws % groups) * p + (slot / p) * (chunks / 2);
                    int partner =
                            partnerSlot % p + (ws % groups) * p + (partnerSlot / p) * (chunks / 2);
                    assertEquals((chunk + chunks / 2) % chunks, partner, "hd " + hd);
                    assertTrue(all.add(key * chunks + chunk), "hd " + hd + ": loaded twice");
                }
            }
            assertEquals(AttentionTiling.BLOCK_K * chunks, all.size(), "hd " + hd);
        }
    }

    @Test
    void transposingStoresAreConflictFreeOnlyWithTheSwizzle() {
        assertEquals(8, worstStore(64, AttentionBanksTest::plain, false));
        assertEquals(4, worstStore(32, AttentionBanksTest::plain, false));
        assertEquals(16, worstStore(128, AttentionBanksTest::plain, true)); // the old 2 keys x 16
        for (int hd : new int[] {32, 64, 128}) {
            assertEquals(1, worstStore(hd, AttentionBanksTest::swizzled, false), "hd " + hd);
        }
    }

    @Test
    void fragmentReadsStayConflictFree() {
        for (int hd : new int[] {32, 64, 128}) {
            assertEquals(1, worstRead(hd, AttentionBanksTest::plain), "hd " + hd);
            assertEquals(1, worstRead(hd, AttentionBanksTest::swizzled), "hd " + hd);
        }
    }

    /**
     * Every store instruction of the tile loop: lane l of warp-step ws takes key and dim chunk as
     * Smem::load_key / load_dim (oldMapping: key = idx / (hd / 8), chunk = idx % (hd / 8), the
     * mapping before, which put 2 keys x 16 chunks in a warp at hd 128); then for each of its 8
     * dims one 16-bit store.
     */
    private static int worstStore(int hd, IntBinaryOperator layout, boolean oldMapping) {
        int chunks = hd / 8, loadChunks = Math.min(chunks, 8), loadKeys = 32 / loadChunks;
        int groups = chunks / loadChunks, steps = AttentionTiling.BLOCK_K * chunks / 32;
        int worst = 0;
        for (int ws = 0; ws < steps; ws++) {
            for (int i = 0; i < 8; i++) {
                int[] words = new int[32];
                for (int l = 0; l < 32; l++) {
                    int idx = ws * 32 + l, key, chunk;
                    if (oldMapping) {
                        key = idx / chunks;
                        chunk = idx % chunks;
                    } else {
                        int p = loadChunks / 2, slot = l % loadChunks;
                        key = (ws / groups) * loadKeys + l / loadChunks;
                        chunk = slot % p + (ws % groups) * p + (slot / p) * (chunks / 2);
                    }
                    words[l] = layout.applyAsInt(chunk * 8 + i, key) / 2;
                }
                worst = Math.max(worst, degree(words));
            }
        }
        return worst;
    }

    /** The PV B-fragment loads: lane (g, t) reads dim 8 nb + g, keys 16 kk + 8 j + 2t (+1). */
    private static int worstRead(int hd, IntBinaryOperator layout) {
        int worst = 0;
        for (int nb = 0; nb < hd / 8; nb++) {
            for (int kk = 0; kk < AttentionTiling.BLOCK_K / 16; kk++) {
                for (int j = 0; j < 2; j++) {
                    int[] words = new int[32];
                    for (int l = 0; l < 32; l++) {
                        int g = l / 4, t = l % 4;
                        words[l] = layout.applyAsInt(nb * 8 + g, 16 * kk + 8 * j + 2 * t) / 2;
                    }
                    worst = Math.max(worst, degree(words));
                }
            }
        }
        return worst;
    }

    /** Largest number of distinct words on one bank. */
    private static int degree(int[] words) {
        Map<Integer, Set<Integer>> banks = new HashMap<>();
        for (int w : words) banks.computeIfAbsent(w % 32, b -> new HashSet<>()).add(w);
        return banks.values().stream().mapToInt(Set::size).max().orElse(0);
    }
}
