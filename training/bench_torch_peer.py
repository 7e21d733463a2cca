#!/usr/bin/python3
"""Speed baseline for models/mini-spam: the recipe's own PyTorch ModernBERT (training/modernbert.py, float32,
eval mode, no grad) over padded batches, the way an eager PyTorch engine would serve it. An adaptation of
../shared/bench/torch_peer.py, which draws random ids from the default ModernBERT vocabulary (50,368 pieces) and
so cannot run this model (13,978 pieces): here ids are drawn within the model's vocab_size.
usage: bench_torch_peer.py MODEL_DIR LENGTHS_FILE [batch 32] [repeats 2] [sorted]; threads from THREADS (2).
Prints one JSON line: tokens/s over real tokens (padding not counted)."""
import json, os, sys, time
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from modernbert import ModernBert


def load_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        dt = {"F16": np.float16, "F32": np.float32}[v["dtype"]]
        a, b = v["data_offsets"]
        out[k] = torch.from_numpy(np.frombuffer(data[a:b], dtype=dt).reshape(v["shape"]).astype(np.float32))
    return out


def main():
    d, wl = sys.argv[1], sys.argv[2]
    bs = int(sys.argv[3]) if len(sys.argv) > 3 else 32
    reps = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    bucketed = len(sys.argv) > 5 and sys.argv[5] == "sorted"
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    cfg = json.load(open(os.path.join(d, "config.json")))
    m = ModernBert(cfg)
    m.load_state_dict(load_safetensors(os.path.join(d, "model.safetensors")))
    m.eval()
    lens = [int(l) for l in open(wl) if l.strip()]
    if bucketed:
        lens = sorted(lens)
    rng = np.random.default_rng(0)
    seqs = [rng.integers(0, cfg["vocab_size"], n) for n in lens]

    @torch.no_grad()
    def run():
        for b in range(0, len(seqs), bs):
            chunk = seqs[b:b + bs]; S = max(len(s) for s in chunk)
            ids = torch.zeros(len(chunk), S, dtype=torch.long)
            for j, s in enumerate(chunk):
                ids[j, :len(s)] = torch.from_numpy(s)
            m(ids, torch.tensor([len(s) for s in chunk]))
    run()  # warm-up
    t = time.perf_counter()
    for _ in range(reps):
        run()
    dt = (time.perf_counter() - t) / reps
    print(json.dumps({"peer": "torch-eager-padded" + ("-sorted" if bucketed else ""), "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "workload": wl, "sequences": len(lens),
                      "tokens": int(sum(lens)), "batch": bs, "seconds": round(dt, 3), "tokens_per_s": round(sum(lens) / dt, 1)}))


if __name__ == "__main__":
    main()
