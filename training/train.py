#!/usr/bin/python3
"""Stages 1 and 2 of the recipe, then the export.

  1. distil: the student's mean-pooled, normalised embedding learns the teacher's (all-MiniLM-L6-v2) on the
     train sentences: loss = (1 - cos(student, teacher)) + REL * MSE(student pairwise sims, teacher pairwise sims).
  2. fine-tune: the ham/spam head (dense -> GELU -> LayerNorm -> classifier) on the frozen encoder's mean-pooled
     states of the train-split emails (cross-entropy). The encoder does not move, so the embeddings keep exactly
     their stage-1 quality, and stage 2 costs one forward pass over the emails.
  export: config.json, model.safetensors (F16), tokenizer.json, modules.json + 1_Pooling (mean) in --out, and
     reference.json (PyTorch float64 outputs of the exported weights on a fixed test-split sample) for the Java test.

Deterministic on one machine for a given seed and thread count (torch.manual_seed, seeded shuffles, fixed step
counts; no time budget decides anything). Checkpoints go to --work/ckpt-*.pt; `--export-only CKPT` exports one.
"""
import argparse, json, math, os, random, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wordpiece import WordPiece, trim_vocabulary
from modernbert import ModernBert, init_weights
from teacher import load_onnx_weights

SEED = 20261205
LABELS = ["ham", "spam"]


def student_config(vocab, a):
    return {
        "architectures": ["ModernBertForSequenceClassification"], "model_type": "modernbert",
        "vocab_size": vocab, "hidden_size": 384, "intermediate_size": a.intermediate,
        "num_hidden_layers": a.layers, "num_attention_heads": 6,
        "global_attn_every_n_layers": 2, "local_attention": 64,
        "global_rope_theta": 160000.0, "local_rope_theta": 10000.0,
        "max_position_embeddings": a.max_len, "norm_eps": 1e-5, "norm_bias": False,
        "attention_bias": False, "mlp_bias": False, "classifier_bias": False,
        "hidden_activation": "gelu", "classifier_activation": "gelu", "classifier_pooling": "mean",
        "initializer_range": 0.02, "tie_word_embeddings": True, "torch_dtype": "float16",
        "id2label": {str(i): l for i, l in enumerate(LABELS)}, "label2id": {l: i for i, l in enumerate(LABELS)},
    }


def pad(seqs):
    L = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), L, dtype=torch.long)
    for r, s in enumerate(seqs):
        ids[r, :len(s)] = torch.tensor(s)
    return ids, torch.tensor([len(s) for s in seqs])


def bucketed(n_items, lengths, max_tokens, rng, max_rows=256):
    """Batches of indices: shuffled, then sorted by length within windows so padding stays small."""
    order = list(range(n_items)); rng.shuffle(order)
    out = []
    for w in range(0, len(order), 2048):
        win = sorted(order[w:w + 2048], key=lambda i: lengths[i])
        cur, L = [], 0
        for i in win:
            L2 = max(L, lengths[i])
            if cur and (L2 * (len(cur) + 1) > max_tokens or len(cur) >= max_rows):
                out.append(cur); cur, L2 = [], lengths[i]
            cur.append(i); L = L2
        if cur: out.append(cur)
    rng.shuffle(out)
    return out


def distil_loss(model, seqs, temb, idx):
    ids, lengths = pad([seqs[i] for i in idx])
    emb, _ = model(ids, lengths)
    t = temb[idx]
    cos = (emb * t).sum(-1)
    rel = F.mse_loss(emb @ emb.T, t @ t.T)
    return (1 - cos).mean() + REL * rel, cos.mean().item()


REL = 10.0


def save_ckpt(path, model, cfg, stage, step):
    torch.save({"cfg": cfg, "state": model.state_dict(), "stage": stage, "step": step}, path + ".tmp")
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="folder with emails.jsonl, sentences.jsonl, teacher.pt")
    ap.add_argument("--teacher-onnx", required=True)
    ap.add_argument("--teacher-tokenizer", required=True)
    ap.add_argument("--work", required=True, help="checkpoints, cached features and logs")
    ap.add_argument("--out", required=True, help="the model directory to write")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=512)
    ap.add_argument("--max-len", type=int, default=128, help="max_position_embeddings: emails are read up to this many tokens")
    ap.add_argument("--min-count", type=int, default=3, help="keep word pieces seen at least this often in the train split")
    ap.add_argument("--distil-steps", type=int, default=600)
    ap.add_argument("--distil-tokens", type=int, default=1024, help="padded tokens per distillation batch")
    ap.add_argument("--distil-lr", type=float, default=1e-3)
    ap.add_argument("--unfrozen-steps", type=int, default=600, help="stage 1b: distillation steps with the token embeddings trained too")
    ap.add_argument("--from-distil2", default=None, help="skip stages 1 and 1b: start stage 2 from this stage-1b checkpoint")
    ap.add_argument("--head-epochs", type=int, default=40)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--from-distil", default=None, help="skip stage 1: start stage 2 from this stage-1 checkpoint")
    ap.add_argument("--smoke", action="store_true", help="a few steps on a sliver of the data, to check the plumbing")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--export-only", default=None, help="export this checkpoint and stop")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    os.makedirs(a.work, exist_ok=True); os.makedirs(a.out, exist_ok=True)
    log = open(os.path.join(a.work, "train.log"), "a")

    def say(msg):
        print(msg, flush=True); log.write(msg + "\n"); log.flush()

    emails = [json.loads(l) for l in open(os.path.join(a.data, "emails.jsonl"))]
    sents = [json.loads(l) for l in open(os.path.join(a.data, "sentences.jsonl"))]
    teach = torch.load(os.path.join(a.data, "teacher.pt"))
    assert teach["text"] == [s["text"] for s in sents], "teacher.pt does not match sentences.jsonl"
    if a.smoke:
        emails = emails[::20]; a.distil_steps = 3; a.unfrozen_steps = 2; a.head_epochs = 2

    # ---- vocabulary: the teacher's WordPiece, trimmed to the pieces the train split uses
    big = WordPiece(a.teacher_tokenizer)
    counts = {}
    # the pieces of what the model reads: train emails up to the token limit, and the train sentences
    for t, limit in [(e["text"], a.max_len) for e in emails if e["split"] == "train"] + [(s["text"], 64) for s in sents if s["split"] == "train"]:
        for i in big.encode(t, limit):
            counts[i] = counts.get(i, 0) + 1
    inv = {i: tok for tok, i in big.vocab.items()}
    keep = [inv[i] for i, c in counts.items() if c >= a.min_count]
    tok_path = os.path.join(a.out, "tokenizer.json")
    new_to_old = trim_vocabulary(a.teacher_tokenizer, tok_path, keep)
    wp = WordPiece(tok_path)
    cfg = student_config(len(new_to_old), a)
    cfg.update(pad_token_id=wp.pad, cls_token_id=wp.cls, sep_token_id=wp.sep, bos_token_id=wp.cls, eos_token_id=wp.sep)
    say(f"vocabulary: {len(new_to_old)} of {len(big.vocab)} pieces (min count {a.min_count})")

    model = ModernBert(cfg)
    if a.export_only:
        model.load_state_dict(torch.load(a.export_only)["state"])
        export(model, cfg, wp, emails, a)
        return
    init_weights(model, SEED)
    W = load_onnx_weights(a.teacher_onnx)
    with torch.no_grad():
        model.model.embeddings.tok_embeddings.weight.copy_(W["embeddings.word_embeddings.weight"][torch.tensor(new_to_old)])
    del W
    # the teacher's token embeddings stay as they are: fewer weights to move, and cheaper steps on 2 cores
    model.model.embeddings.tok_embeddings.weight.requires_grad_(False)
    n_params = sum(p.numel() for p in model.parameters())
    say(f"student: {n_params / 1e6:.2f} M parameters, " + json.dumps({k: cfg[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size", "local_attention", "max_position_embeddings")}))

    tr = [i for i, s in enumerate(sents) if s["split"] == "train"]
    ho = [i for i, s in enumerate(sents) if s["split"] != "train"]
    sseq = [wp.encode(sents[i]["text"], 64) for i in tr]
    temb = teach["emb"][torch.tensor(tr)]
    hseq = [wp.encode(sents[i]["text"], 64) for i in ho]
    hemb = teach["emb"][torch.tensor(ho)]
    slen = [len(s) for s in sseq]
    write_safetensors(os.path.join(a.data, "teacher-heldout.safetensors"), {"embeddings": hemb.float()}, "F32")

    def heldout_cos():
        model.eval()
        with torch.no_grad():
            embs = []
            for k in range(0, len(hseq), 128):
                ids, lengths = pad(hseq[k:k + 128]); embs.append(model(ids, lengths)[0])
            e = torch.cat(embs)
        model.train()
        return (e * hemb).sum(-1).mean().item()

    # ---- stage 1: distillation (constant learning rate after warm-up, so a run stopped at step k equals a
    # run with --distil-steps k; a checkpoint every 50 steps)
    if a.from_distil or a.from_distil2:
        ck = torch.load(a.from_distil or a.from_distil2)
        model.load_state_dict(ck["state"])
        say(f"stage 1 skipped: {a.from_distil or a.from_distil2} (step {ck['step']})")
    else:
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=a.distil_lr, weight_decay=0.01)
        batches = []
        step, t0, toks = 0, time.time(), 0
        model.train()
        while step < a.distil_steps:
            if not batches: batches = bucketed(len(sseq), slen, a.distil_tokens, rng)
            idx = batches.pop()
            for g in opt.param_groups: g["lr"] = a.distil_lr * min(1.0, (step + 1) / 50)
            loss, c = distil_loss(model, sseq, temb, idx)
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); step += 1; toks += sum(slen[i] for i in idx)
            if step % 10 == 0:
                say(f"distil step {step}/{a.distil_steps} loss {loss.item():.4f} batch cos {c:.3f} {toks} tokens {time.time() - t0:.0f}s")
            if step % 50 == 0 or step == a.distil_steps:
                save_ckpt(os.path.join(a.work, f"ckpt-distil.pt"), model, cfg, 1, step)
            if step % 100 == 0 or step == a.distil_steps:
                say(f"  held-out cos {heldout_cos():.4f} at step {step}")

    # ---- stage 1b: the same distillation with the token embeddings free as well (a fresh optimizer and a reseeded
    # shuffle, so a run resumed from a stage-1 checkpoint equals a run in one go)
    if a.from_distil2:
        ck = torch.load(a.from_distil2)
        model.load_state_dict(ck["state"])
        say(f"stage 1b skipped: {a.from_distil2} (step {ck['step']})")
    elif a.unfrozen_steps > 0:
        model.model.embeddings.tok_embeddings.weight.requires_grad_(True)
        opt = torch.optim.AdamW(model.parameters(), lr=a.distil_lr, weight_decay=0.01)
        rng = random.Random(SEED + 1)
        batches = []
        step, t0, toks = 0, time.time(), 0
        model.train()
        while step < a.unfrozen_steps:
            if not batches: batches = bucketed(len(sseq), slen, a.distil_tokens, rng)
            idx = batches.pop()
            for g in opt.param_groups: g["lr"] = a.distil_lr * min(1.0, (step + 1) / 20)
            loss, c = distil_loss(model, sseq, temb, idx)
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); step += 1; toks += sum(slen[i] for i in idx)
            if step % 10 == 0:
                say(f"distil-1b step {step}/{a.unfrozen_steps} loss {loss.item():.4f} batch cos {c:.3f} {toks} tokens {time.time() - t0:.0f}s")
            if step % 50 == 0 or step == a.unfrozen_steps:
                save_ckpt(os.path.join(a.work, f"ckpt-distil2.pt"), model, cfg, 1, step)
            if step % 100 == 0 or step == a.unfrozen_steps:
                say(f"  held-out cos {heldout_cos():.4f} at step 1b-{step}")
        model.model.embeddings.tok_embeddings.weight.requires_grad_(False)

    # ---- stage 2: the ham/spam head, on the frozen encoder's mean-pooled states of the train emails
    # (the encoder does not move, so the embeddings keep exactly their stage-1 quality)
    model.eval()
    def pooled(split):
        rows = [e for e in emails if e["split"] == split]
        seqs = [wp.encode(e["text"], a.max_len) for e in rows]
        labels = torch.tensor([LABELS.index(e["label"]) for e in rows])
        order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
        feats = torch.zeros(len(seqs), cfg["hidden_size"])
        t0 = time.time()
        with torch.no_grad():
            for k in range(0, len(order), 32):
                idx = order[k:k + 32]
                ids, lengths = pad([seqs[i] for i in idx])
                h, valid = model.hidden(ids, lengths)
                feats[idx] = model.mean_pool(h, valid)
        say(f"pooled states of {len(seqs)} {split} emails in {time.time() - t0:.0f}s")
        return feats, labels
    xtr, ytr = pooled("train")
    xva, yva = pooled("validation")
    for p in model.parameters(): p.requires_grad_(False)
    head = [model.head.dense.weight, model.head.norm.weight, model.classifier.weight, model.classifier.bias]
    for p in head: p.requires_grad_(True)
    opt = torch.optim.AdamW(head, lr=a.head_lr, weight_decay=0.01)
    g = torch.Generator().manual_seed(SEED)

    def head_logits(x):
        return model.classifier(model.head.norm(F.gelu(model.head.dense(x))))

    best = (-1.0, 0, None)
    for ep in range(a.head_epochs):
        perm = torch.randperm(len(xtr), generator=g)
        for k in range(0, len(perm), 64):
            idx = perm[k:k + 64]
            loss = F.cross_entropy(head_logits(xtr[idx]), ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
        if (ep + 1) % 5 == 0 or ep + 1 == a.head_epochs:
            with torch.no_grad():
                pred = head_logits(xva).argmax(-1)
            tp = int(((pred == 1) & (yva == 1)).sum()); fp = int(((pred == 1) & (yva == 0)).sum()); fn = int(((pred == 0) & (yva == 1)).sum())
            pr = tp / max(1, tp + fp); rc = tp / max(1, tp + fn)
            f1 = 2 * pr * rc / max(1e-9, pr + rc)
            say(f"head epoch {ep + 1}: train loss {loss.item():.4f}, validation spam F1 {f1:.4f} (P {pr:.4f} R {rc:.4f})")
            if f1 > best[0]:   # early stopping on the validation split (the test split is never looked at)
                best = (f1, ep + 1, {k: v.detach().clone() for k, v in model.state_dict().items() if k.startswith(("head.", "classifier."))})
    model.load_state_dict(best[2], strict=False)
    say(f"head: kept epoch {best[1]} (validation spam F1 {best[0]:.4f})")
    say(f"held-out cos {heldout_cos():.4f} (final)")
    save_ckpt(os.path.join(a.work, "ckpt-final.pt"), model, cfg, 2, a.head_epochs)
    export(model, cfg, wp, emails, a)


def export(model, cfg, wp, emails, a):
    """Write the model directory: F16 weights, the config, pooling, and PyTorch's float64 reference outputs."""
    out = a.out
    state = {k: v.detach().to(torch.float16) for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(out, "model.safetensors"), state)
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    with open(os.path.join(out, "modules.json"), "w") as f:
        json.dump([{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                   {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                   {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}], f, indent=2)
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    with open(os.path.join(out, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": cfg["hidden_size"], "pooling_mode_cls_token": False,
                   "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
                   "pooling_mode_mean_sqrt_len_tokens": False}, f, indent=2)
    # reference: the exported (F16-rounded) weights, computed in float64
    ref = ModernBert(cfg).double()
    ref.load_state_dict({k: v.double() for k, v in state.items()})
    ref.eval()
    test = [e for e in emails if e["split"] == "test"]
    r = random.Random(SEED)
    def pick(rows, k):
        return r.sample(rows, min(k, len(rows)))
    sample = pick([e for e in test if e["label"] == "spam"], 6) + pick([e for e in test if e["group"] == "easy_ham"], 5) \
        + pick([e for e in test if e["group"] == "hard_ham"], 3)
    extra = ["Thanks for the quick delivery, the parcel arrived this morning.", "The weather in Lisbon is sunny today.",
             "WIN A FREE iPhone!!! Click here now to claim your prize", "Can we move our meeting to Thursday at 3pm?"]
    cases = []
    with torch.no_grad():
        for text in [e["text"] for e in sample] + extra:
            ids = wp.encode(text, cfg["max_position_embeddings"])
            emb, logits = ref(torch.tensor([ids]), torch.tensor([len(ids)]))
            cases.append({"text": text, "ids": ids, "logits": [round(float(x), 7) for x in logits[0]],
                          "label": LABELS[int(logits[0].argmax())],
                          "embedding": [round(float(x), 7) for x in emb[0]]})
    # token ids only, for many more texts: the Java tokenizer (Rust, through DJL) must match training/wordpiece.py
    tok_cases = [{"text": e["text"][:3000], "ids": wp.encode(e["text"][:3000], cfg["max_position_embeddings"])}
                 for e in pick([e for e in emails if e["split"] != "train"], 200)]
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"about": "PyTorch float64 outputs of this model's F16 weights (training/train.py export); "
                            "the Java equivalence test compares ids, labels, logits and embeddings",
                   "cases": cases, "tokenizer_cases": tok_cases}, f)
    # held-out emails for the demo (test split, never trained on): the demo streams them beside short messages
    r = random.Random(SEED + 1)
    demo = pick([e for e in test if e["label"] == "spam"], 5) + pick([e for e in test if e["group"] == "easy_ham"], 4) \
        + pick([e for e in test if e["group"] == "hard_ham"], 2)
    r.shuffle(demo)
    with open(os.path.join(out, "heldout-emails.jsonl"), "w") as f:
        for e in demo:
            f.write(json.dumps({"id": e["id"], "group": e["group"], "label": e["label"], "text": e["text"][:2000]}) + "\n")
    print(f"exported {out}: {sum(os.path.getsize(os.path.join(dp, fn)) for dp, _, fs in os.walk(out) for fn in fs) / 1e6:.2f} MB", flush=True)


def write_safetensors(path, tensors, dtype="F16"):
    import struct
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        b = tensors[name].detach().contiguous().numpy().astype(np.float16 if dtype == "F16" else np.float32).tobytes()
        header[name] = {"dtype": dtype, "shape": list(tensors[name].shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)


if __name__ == "__main__":
    main()
