#!/usr/bin/python3
"""Builds golden/tiny-b: a second reference checkpoint the engine was not developed against.

It differs from tiny-a everywhere tiny-a is silent: newer config layout (layer_types + rope_parameters,
no global_rope_theta/local_rope_theta/global_attn_every_n_layers), head_dim 32, 5 layers with an irregular
layer pattern, window 32, other RoPE thetas, every bias on (norm, attention, mlp, classifier), [CLS] pooling,
multi-label, 4 labels, and BF16 weights. Outputs come from ../shared/reference/modernbert_ref.py in float64
on the bf16 values as stored.

usage: /usr/bin/python3 make_tiny_b.py REFERENCE_DIR OUT_DIR   (REFERENCE_DIR holds modernbert_ref.py)
"""
import json, os, shutil, sys
import numpy as np

sys.path.insert(0, sys.argv[1])
import modernbert_ref as ref

out = sys.argv[2]
os.makedirs(out, exist_ok=True)
cfg = ref.base_config(vocab_size=704, hidden_size=96, intermediate_size=160, num_hidden_layers=5,
                      num_attention_heads=3, global_attn_every_n_layers=2, local_attention=32,
                      global_rope_theta=50000.0, local_rope_theta=5000.0, max_position_embeddings=512,
                      norm_bias=True, attention_bias=True, mlp_bias=True, classifier_bias=True,
                      classifier_pooling="cls", problem_type="multi_label_classification",
                      pad_token_id=659, cls_token_id=657, sep_token_id=658, bos_token_id=657, eos_token_id=658,
                      torch_dtype="bfloat16",
                      id2label={"0": "insult", "1": "threat", "2": "spam", "3": "offtopic"},
                      label2id={"insult": 0, "threat": 1, "spam": 2, "offtopic": 3})
cfg = ref.new_style(cfg)
cfg["layer_types"] = ["full_attention", "sliding_attention", "sliding_attention", "full_attention", "sliding_attention"]
del cfg["global_attn_every_n_layers"]

rng = np.random.default_rng(7)
W = ref.init_weights(cfg, 11, 4)
H, I = cfg["hidden_size"], cfg["intermediate_size"]
def small(n):
    return (0.05 * rng.standard_normal(n)).astype(np.float32)
W["model.embeddings.norm.bias"] = small(H)
W["model.final_norm.bias"] = small(H)
W["head.dense.bias"] = small(H)
W["head.norm.bias"] = small(H)
for i in range(cfg["num_hidden_layers"]):
    p = f"model.layers.{i}."
    if i != 0:
        W[p + "attn_norm.bias"] = small(H)
    W[p + "attn.Wqkv.bias"] = small(3 * H)
    W[p + "attn.Wo.bias"] = small(H)
    W[p + "mlp_norm.bias"] = small(H)
    W[p + "mlp.Wi.bias"] = small(2 * I)
    W[p + "mlp.Wo.bias"] = small(H)

ref.save_safetensors(os.path.join(out, "model.safetensors"), W, dtype="BF16")
W = ref.load_safetensors(os.path.join(out, "model.safetensors"))   # the bf16 values as stored
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(cfg, f, indent=2)

lengths = [1, 2, 3, 15, 16, 17, 31, 33, 64, 100, 257]
expected, cases = {}, []
for n, L in enumerate(lengths):
    ids = [657] + [int(x) for x in rng.integers(0, 656, max(0, L - 2))] + ([658] if L > 1 else [])
    ids = ids[:L]
    h = ref.encode(cfg, W, ids)
    logits = ref.classify(cfg, W, h)
    cid = f"b{n}"
    expected[cid + ".hidden"] = h.numpy().astype(np.float32)
    expected[cid + ".logits"] = logits.numpy().astype(np.float32)
    expected[cid + ".embedding"] = ref.mean_embedding(h).numpy().astype(np.float32)
    cases.append({"id": cid, "input_ids": ids})
ref.save_safetensors(os.path.join(out, "expected.safetensors"), expected)
with open(os.path.join(out, "cases.jsonl"), "w") as f:
    for c in cases:
        f.write(json.dumps(c) + "\n")
