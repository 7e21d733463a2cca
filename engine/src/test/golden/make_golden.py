#!/usr/bin/python3
"""Rebuilds the golden sets in engine/src/test/resources/golden from this repository alone.

The float64 reference is modernbert_ref.py (a copy of ../shared/reference/modernbert_ref.py, the project's spec).

  tiny-a   weights: modernbert_ref.init_weights(config.json, seed 11, 3 labels); expected.safetensors: for every
           line of cases.jsonl (ids as listed; texts were tokenized with tokenizer.json), the reference's final hidden
           states, classifier logits and mean-pooled L2-normalised embedding, computed in float64, stored float32.
  kernels  vectors.safetensors: the outputs (rope_*, attn_*, geglu_out, layernorm_out) recomputed in float64 from
           its inputs (cu_seqlens, qkv, geglu_in, layernorm_in, layernorm_weight), which are bf16-exact numbers.
  tiny-b   make_tiny_b.py (beside this file) writes the whole set.

usage: /usr/bin/python3 make_golden.py GOLDEN_DIR            rewrite model + expected of tiny-a and the kernel outputs
       /usr/bin/python3 make_golden.py GOLDEN_DIR --check    recompute and compare with the committed files; exit 1 on a
                                                             difference (weights exact, outputs within 1e-6 relative)
Needs python3-numpy and python3-torch (Debian).
"""
import json, os, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import modernbert_ref as ref

golden, check = sys.argv[1], "--check" in sys.argv[2:]
problems = []


def compare(name, want, got, exact=False):
    want, got = np.asarray(want, dtype=np.float64), np.asarray(got, dtype=np.float64)
    if want.shape != got.shape:
        problems.append(f"{name}: shape {got.shape} vs committed {want.shape}")
        return
    err = np.max(np.abs(want - got) / (np.abs(want) + 1e-3)) if want.size else 0.0
    if (exact and not np.array_equal(want, got)) or err > 1e-6:
        problems.append(f"{name}: max relative difference {err:.3g}")


def emit(path, tensors, dtype="F32"):
    if check:
        committed = ref.load_safetensors(path)
        if sorted(committed) != sorted(tensors):
            problems.append(f"{path}: tensors {sorted(set(committed) ^ set(tensors))[:5]} differ")
        for k in sorted(set(committed) & set(tensors)):
            compare(f"{os.path.basename(path)}:{k}", committed[k], tensors[k], exact=dtype != "F32" or k.endswith("weight"))
    else:
        ref.save_safetensors(path, tensors, dtype=dtype)


# ---- tiny-a ----
d = os.path.join(golden, "tiny-a")
cfg = json.load(open(os.path.join(d, "config.json")))
W = {k: np.asarray(v, dtype=np.float32) for k, v in ref.init_weights(cfg, 11, 3).items()}
if check:
    committed = ref.load_safetensors(os.path.join(d, "model.safetensors"))
    for k in sorted(committed):
        if k not in W or not np.array_equal(committed[k], W[k]):
            problems.append(f"tiny-a/model.safetensors:{k} is not init_weights(seed 11)")
else:
    ref.save_safetensors(os.path.join(d, "model.safetensors"), W)
expected = {}
for line in open(os.path.join(d, "cases.jsonl")):
    if not line.strip():
        continue
    case = json.loads(line)
    h = ref.encode(cfg, W, case["input_ids"])
    expected[case["id"] + ".hidden"] = h.numpy().astype(np.float32)
    expected[case["id"] + ".logits"] = ref.classify(cfg, W, h).numpy().astype(np.float32)
    expected[case["id"] + ".embedding"] = ref.mean_embedding(h).numpy().astype(np.float32)
emit(os.path.join(d, "expected.safetensors"), expected)

# ---- kernel vectors ----
path = os.path.join(golden, "kernels", "vectors.safetensors")
v = ref.load_safetensors(path)
cu = [int(c) for c in v["cu_seqlens"]]
qkv = torch.from_numpy(np.asarray(v["qkv"], dtype=np.float64))          # [tokens, 3, heads, hd]
heads, hd = qkv.shape[2], qkv.shape[3]
out = {k: v[k] for k in ("cu_seqlens", "qkv", "geglu_in", "layernorm_in", "layernorm_weight")}
for theta in (10000, 160000):
    r = qkv.clone()
    for s in range(len(cu) - 1):
        a, b = cu[s], cu[s + 1]
        for j in (0, 1):                                                  # q and k; v unchanged
            r[a:b, j] = ref.rope(qkv[a:b, j].transpose(0, 1), float(theta)).transpose(0, 1)
    out[f"rope_theta{theta}"] = r.numpy().astype(np.float32)
for name, window in (("attn_global", None), ("attn_window16", 16), ("attn_window128", 128)):
    o = torch.zeros(qkv.shape[0], heads * hd, dtype=torch.float64)
    for s in range(len(cu) - 1):
        a, b = cu[s], cu[s + 1]
        q, k, val = (qkv[a:b, j].transpose(0, 1) for j in range(3))      # [heads, L, hd]
        sc = (q @ k.transpose(1, 2)) * hd ** -0.5
        if window is not None:
            idx = torch.arange(b - a)
            sc = sc.masked_fill(((idx[:, None] - idx[None, :]).abs() > window // 2)[None], float("-inf"))
        o[a:b] = (torch.softmax(sc, -1) @ val).transpose(0, 1).reshape(b - a, heads * hd)
    out[name] = o.numpy().astype(np.float32)
g = torch.from_numpy(np.asarray(v["geglu_in"], dtype=np.float64))
x1, x2 = g.chunk(2, -1)
out["geglu_out"] = (ref.gelu(x1) * x2).numpy().astype(np.float32)
ln = torch.from_numpy(np.asarray(v["layernorm_in"], dtype=np.float64))
out["layernorm_out"] = ref.layer_norm(ln, torch.from_numpy(np.asarray(v["layernorm_weight"], dtype=np.float64)), None, 1e-5).numpy().astype(np.float32)
emit(path, out)

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("golden sets " + ("match the committed files" if check else "written") + " (tiny-a, kernels; tiny-b: make_tiny_b.py)")
