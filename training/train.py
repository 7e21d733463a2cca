#!/usr/bin/python3
"""Stages 1 and 2 of the recipe, then the export.

  1. distil: the student's mean-pooled, normalised embedding learns the teacher's (all-MiniLM-L6-v2) on the
     train sentences: loss = (1 - cos(student, teacher)) + REL * MSE(student pairwise sims, teacher pairwise sims)
     + TOKEN * relative MSE of every token's final hidden state against the teacher's last layer (for the sentences
     the trimmed vocabulary tokenizes as the teacher does). bf16 autocast where the CPU has bf16 hardware.
     Cosine learning-rate decay; the token embeddings (the teacher's rows) join the optimizer at --unfreeze-at.
  2. joint fine-tuning: encoder and ham/spam head (mean pool -> dense -> GELU -> LayerNorm -> classifier) together,
     cross-entropy on train-split emails (first max_len tokens) and on short texts cut from them (subject lines and
     one body sentence each, with their email's label), plus the stage-1 distillation loss as a regulariser so the
     embeddings keep their quality. The state with the lowest validation cross-entropy is kept
     (steadier than the best F1: with 180 spam emails one email moves F1 by about 0.003).
  export: config.json, model.safetensors (F16), tokenizer.json, modules.json + 1_Pooling (mean) in --out, and
     reference.json (PyTorch float64 outputs of the exported weights on a fixed test-split sample) for the Java test.

Deterministic on one machine for a given seed and thread count (torch.manual_seed, seeded shuffles, fixed step
counts; no time budget decides anything). Checkpoints go to --work/ckpt-*.pt; `--export-only CKPT` exports one,
`--from-distil CKPT` runs stage 2 from a stage-1 checkpoint.
"""
import argparse, json, math, os, random, sys, time
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wordpiece import WordPiece, trim_vocabulary
from modernbert import ModernBert, init_weights, bf16_wanted
from teacher import load_onnx_weights
from prepare_data import sentences

SEED = 20261205
LABELS = ["ham", "spam"]


def student_config(vocab, a):
    return {
        "architectures": ["ModernBertForSequenceClassification"], "model_type": "modernbert",
        "vocab_size": vocab, "hidden_size": 384, "intermediate_size": a.intermediate,
        "num_hidden_layers": a.layers, "num_attention_heads": 6,
        "global_attn_every_n_layers": a.global_every, "local_attention": 64,
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


def head_logits(model, seqs, batch=32):
    """-> float32 [len(seqs), labels] classification logits, in length-sorted padded batches (caller sets no_grad,
    eval mode and any autocast)"""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    logits = torch.zeros(len(seqs), len(LABELS))
    for k in range(0, len(order), batch):
        idx = order[k:k + batch]
        ids, lengths = pad([seqs[i] for i in idx])
        logits[idx] = model(ids, lengths)[1].float()
    return logits


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


class Targets:
    """The teacher's outputs for the train sentences: sentence embeddings emb [N,384] and, for the sentences that the
    student's trimmed vocabulary tokenizes exactly as the teacher does (`aligned`), every token's last hidden state
    (tok[off[i]:off[i+1]], float16)."""

    def __init__(self, emb, tok, off, aligned):
        self.emb, self.tok, self.off, self.aligned = emb, tok, off, aligned
        self.tok_sq = float(tok[:200000].float().pow(2).mean())   # scale of the token targets

    def tokens(self, idx, L):
        t = torch.zeros(len(idx), L, self.tok.shape[1])
        m = torch.zeros(len(idx), L)
        for r, i in enumerate(idx):
            if self.aligned[i]:
                n = int(self.off[i + 1] - self.off[i])
                t[r, :n] = self.tok[self.off[i]:self.off[i + 1]].float(); m[r, :n] = 1
        return t, m


def autocast():
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16)


def distil_loss(model, seqs, tg, idx):
    """(1 - cos) of the pooled embeddings + REL * MSE of their pairwise similarities + TOKEN * the relative MSE of
    every token's final hidden state against the teacher's (sentences tokenized alike only)."""
    ids, lengths = pad([seqs[i] for i in idx])
    with autocast():
        h, valid = model.hidden(ids, lengths)
    h = h.float()
    emb = F.normalize(ModernBert.mean_pool(h, valid), dim=-1)
    t = tg.emb[idx]
    cos = (emb * t).sum(-1)
    rel = F.mse_loss(emb @ emb.T, t @ t.T)
    loss = (1 - cos).mean() + REL * rel
    if TOKEN > 0:
        tt, m = tg.tokens(idx, ids.shape[1])
        if m.sum() > 0:
            loss = loss + TOKEN * (((h - tt) ** 2).mean(-1) * m).sum() / m.sum() / tg.tok_sq
    return loss, cos.mean().item()


REL = 10.0
TOKEN = 1.0
BF16 = False


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
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--intermediate", type=int, default=640)
    ap.add_argument("--global-every", type=int, default=3, help="global_attn_every_n_layers: layers 0, n, 2n... attend globally")
    ap.add_argument("--max-len", type=int, default=256, help="max_position_embeddings: emails are read up to this many tokens")
    ap.add_argument("--bf16", choices=["auto", "on", "off"], default="auto", help="bf16 autocast (float32 master weights); auto: when the CPU has bf16 hardware")
    ap.add_argument("--token-loss", type=float, default=1.0, help="weight of the per-token hidden-state distillation loss")
    ap.add_argument("--min-count", type=int, default=6, help="keep word pieces seen at least this often in the train split (with 4 layers, 6 keeps the model directory under 25 MB)")
    ap.add_argument("--distil-steps", type=int, default=3000)
    ap.add_argument("--distil-tokens", type=int, default=2048, help="padded tokens per distillation batch")
    ap.add_argument("--distil-lr", type=float, default=1.5e-3, help="peak learning rate of stage 1 (cosine decay)")
    ap.add_argument("--unfreeze-at", type=int, default=600, help="stage-1 step from which the token embeddings are trained too")
    ap.add_argument("--distil-only", action="store_true", help="stop after stage 1 (its checkpoint is --work/ckpt-distil.pt)")
    ap.add_argument("--from-distil", default=None, help="skip stage 1: start stage 2 from this stage-1 checkpoint")
    ap.add_argument("--joint-steps", type=int, default=900, help="stage 2 steps (encoder and head together)")
    ap.add_argument("--joint-lr", type=float, default=3e-4, help="peak learning rate of the encoder in stage 2")
    ap.add_argument("--head-lr", type=float, default=2e-3, help="peak learning rate of the head in stage 2")
    ap.add_argument("--email-batch", type=int, default=16)
    ap.add_argument("--short-batch", type=int, default=16)
    ap.add_argument("--short-weight", type=float, default=0.5, help="weight of the short texts' cross-entropy")
    ap.add_argument("--prose-ham", type=int, default=3000, help="non-email train sentences added to the short texts as ham")
    ap.add_argument("--ham-texts", type=int, default=5000, help="sentences of ham-texts.jsonl (fortunes) added to the short texts as ham; the rest are held out to count false alarms")
    ap.add_argument("--no-short-texts", dest="short_texts", action="store_false", help="train the head on whole emails only")
    ap.add_argument("--joint-distil", type=float, default=1.0, help="weight of the distillation loss in stage 2")
    ap.add_argument("--joint-distil-tokens", type=int, default=512, help="padded tokens per distillation batch in stage 2")
    ap.add_argument("--eval-every", type=int, default=100, help="validation loss and F1 every this many stage-2 steps")
    ap.add_argument("--smoke", action="store_true", help="a few steps on a sliver of the data, to check the plumbing")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--export-only", default=None, help="export this checkpoint and stop")
    a = ap.parse_args()
    global BF16, TOKEN
    BF16, TOKEN = bf16_wanted(a.bf16), a.token_loss
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
    ham_path = os.path.join(a.data, "ham-texts.jsonl")
    ham_texts = [json.loads(l)["text"] for l in open(ham_path)] if os.path.exists(ham_path) else []
    assert teach["text"] == [s["text"] for s in sents], "teacher.pt does not match sentences.jsonl"
    if a.smoke:
        emails = emails[::20]; a.distil_steps = 6; a.unfreeze_at = 3; a.joint_steps = 4; a.eval_every = 2

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
    if n_params * 2 > 24e6 and not a.smoke:
        # the model directory (F16 weights + tokenizer + reference.json) must stay under 25 MB (issue 10)
        sys.exit(f"train.py: {n_params / 1e6:.2f} M parameters are {n_params * 2 / 1e6:.1f} MB in F16, over the 24 MB "
                 f"the weights may take; raise --min-count (vocabulary {len(new_to_old)}) or shrink --intermediate/--layers")
    say(f"bf16 autocast: {BF16}; token loss weight {TOKEN}")
    say(f"student: {n_params / 1e6:.2f} M parameters, " + json.dumps({k: cfg[k] for k in ("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size", "local_attention", "max_position_embeddings")}))

    tr = [i for i, s in enumerate(sents) if s["split"] == "train"]
    va = [i for i, s in enumerate(sents) if s["split"] == "validation"]
    ho = [i for i, s in enumerate(sents) if s["split"] == "test"]
    sseq = [wp.encode(sents[i]["text"], 64) for i in tr]
    toff = teach["off"]
    aligned = [[new_to_old[x] for x in sseq[k]] == big.encode(sents[i]["text"], 64) for k, i in enumerate(tr)]
    offs = torch.stack([toff[torch.tensor(tr)], toff[torch.tensor(tr) + 1]], 1)
    # the train sentences' token rows, gathered so that sentence k's are tok[off[k]:off[k+1]]
    keep_rows = torch.cat([torch.arange(int(s0), int(s1)) for s0, s1 in offs])
    off = torch.zeros(len(tr) + 1, dtype=torch.long); off[1:] = torch.cumsum(offs[:, 1] - offs[:, 0], 0)
    tg = Targets(teach["emb"][torch.tensor(tr)], teach["tok"][keep_rows], off, aligned)
    vemb = teach["emb"]
    del teach, keep_rows
    say(f"distillation: {len(tr)} train sentences ({sum(aligned)} tokenized as the teacher does: token targets), "
        f"{len(va)} validation, {len(ho)} held out")
    slen = [len(s) for s in sseq]
    vseqs = [wp.encode(sents[i]["text"], 64) for i in va]
    hseq = [wp.encode(sents[i]["text"], 64) for i in ho]
    hemb = vemb[torch.tensor(ho)]
    vemb = vemb[torch.tensor(va)]
    write_safetensors(os.path.join(a.data, "teacher-heldout.safetensors"), {"embeddings": hemb.float()}, "F32")

    def mean_cos(seqs, temb, fast=True):
        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=BF16 and fast):
            embs = []
            for k in range(0, len(seqs), 128):
                ids, lengths = pad(seqs[k:k + 128]); embs.append(model(ids, lengths)[0].float())
            e = torch.cat(embs)
        model.train()
        return (e * temb).sum(-1).mean().item()

    def validation_cos():
        return mean_cos(vseqs, vemb)

    def heldout_cos():
        return mean_cos(hseq, hemb, fast=False)

    # ---- stage 1: distillation. AdamW, linear warm-up then cosine decay to 5% of the peak; the token embeddings
    # (the teacher's rows) stay frozen until --unfreeze-at, then join the optimizer. A checkpoint every 100 steps.
    def lr_at(step, total, peak, warm):
        if step < warm:
            return peak * (step + 1) / warm
        return peak * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warm) / max(1, total - warm)))))

    tok = model.model.embeddings.tok_embeddings.weight
    if a.from_distil:
        ck = torch.load(a.from_distil)
        model.load_state_dict(ck["state"])
        say(f"stage 1 skipped: {a.from_distil} (step {ck['step']})")
    else:
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=a.distil_lr, weight_decay=0.01)
        batches = []
        step, t0, toks = 0, time.time(), 0
        model.train()
        while step < a.distil_steps:
            if step == a.unfreeze_at:
                tok.requires_grad_(True)
                opt.add_param_group({"params": [tok], "lr": a.distil_lr, "weight_decay": 0.0})
                say(f"token embeddings trained from step {step}")
            if not batches: batches = bucketed(len(sseq), slen, a.distil_tokens, rng)
            idx = batches.pop()
            for g in opt.param_groups: g["lr"] = lr_at(step, a.distil_steps, a.distil_lr, 100)
            loss, c = distil_loss(model, sseq, tg, idx)
            opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); step += 1; toks += sum(slen[i] for i in idx)
            if step % 20 == 0:
                say(f"distil step {step}/{a.distil_steps} loss {loss.item():.4f} batch cos {c:.3f} {toks} tokens {time.time() - t0:.0f}s")
            if step % 100 == 0 or step == a.distil_steps:
                save_ckpt(os.path.join(a.work, "ckpt-distil.pt"), model, cfg, 1, step)
            if step % 250 == 0 or step == a.distil_steps:
                say(f"  validation cos {validation_cos():.4f} at step {step}")
        say(f"stage 1: {a.distil_steps} steps, {toks} tokens in {time.time() - t0:.0f}s")
        if a.distil_only:
            return

    # ---- stage 2: the encoder fine-tuned jointly with the ham/spam head (cross-entropy on train-split emails, first
    # max_len tokens, and on short texts cut from them), with the distillation loss kept on as a regulariser so the
    # embeddings do not drift. The state with the lowest validation cross-entropy is kept (the test split is never
    # looked at).
    tok.requires_grad_(True)
    for p in model.parameters(): p.requires_grad_(True)
    train_rows = [e for e in emails if e["split"] == "train"]
    eseq = [wp.encode(e["text"], a.max_len) for e in train_rows]
    elab = [LABELS.index(e["label"]) for e in train_rows]
    short, slab = [], []
    if a.short_texts:
        # short texts with their email's label: the subject line, and one sentence of the body (seeded pick), so the
        # head also sees chat-length input of both classes
        srng = random.Random(SEED + 2)
        for e, y in zip(train_rows, elab):
            subject, _, body = e["text"].partition("\n")
            cands = [t for t in [subject.strip()] if len(t) >= 8]
            sents_e = sentences(body)
            if sents_e: cands.append(srng.choice(sents_e))
            for t in cands:
                short.append(wp.encode(t, a.max_len)); slab.append(y)
        # ordinary English that is not email (Debian descriptions, fortunes, the Debian Reference) as ham: chat-like
        # messages are neither of the corpus' classes, and the head saw no ordinary short text that is not email
        prose = [s["text"] for s in sents if s["split"] == "train" and s["source"] != "email"]
        prose = srng.sample(prose, min(a.prose_ham, len(prose)))
        for t in prose:
            short.append(wp.encode(t, a.max_len)); slab.append(0)
        # quotations and jokes (ham-texts.jsonl, fortunes): ordinary conversational English, closer to chat than
        # package descriptions are; the first --ham-texts are trained on, the rest count false alarms below
        for t in ham_texts[: a.ham_texts]:
            short.append(wp.encode(t, a.max_len)); slab.append(0)
        say(f"short texts: {len(short)} ({sum(slab)} spam) from {len(train_rows)} train emails, {len(prose)} non-email "
            f"sentences and {min(a.ham_texts, len(ham_texts))} fortunes sentences (ham)")
    va_rows = [e for e in emails if e["split"] == "validation"]
    vseq = [wp.encode(e["text"], a.max_len) for e in va_rows]
    vlab = torch.tensor([LABELS.index(e["label"]) for e in va_rows])

    def validation():
        """-> (cross-entropy, F1, precision, recall) of the head on the validation emails"""
        model.eval()
        with torch.no_grad(), autocast():
            logits = head_logits(model, vseq)
        model.train()
        pred = logits.argmax(-1)
        tp = int(((pred == 1) & (vlab == 1)).sum()); fp = int(((pred == 1) & (vlab == 0)).sum()); fn = int(((pred == 0) & (vlab == 1)).sum())
        pr = tp / max(1, tp + fp); rc = tp / max(1, tp + fn)
        return F.cross_entropy(logits, vlab).item(), 2 * pr * rc / max(1e-9, pr + rc), pr, rc

    head_names = ("head.", "classifier.")
    groups = [{"params": [p for n, p in model.named_parameters() if not n.startswith(head_names)], "peak": a.joint_lr},
              {"params": [p for n, p in model.named_parameters() if n.startswith(head_names)], "peak": a.head_lr}]
    opt = torch.optim.AdamW(groups, lr=a.joint_lr, weight_decay=0.01)
    rng = random.Random(SEED + 3)
    eorder, sorder, dbatches = [], [], []
    best = (float("inf"), 0, None, 0.0)
    t0 = time.time()
    model.train()
    for step in range(a.joint_steps):
        for g in opt.param_groups: g["lr"] = lr_at(step, a.joint_steps, g["peak"], 30)
        if len(eorder) < a.email_batch:
            eorder = list(range(len(eseq))); rng.shuffle(eorder)
        idx = [eorder.pop() for _ in range(a.email_batch)]
        ids, lengths = pad([eseq[i] for i in idx])
        with autocast():
            logits = model(ids, lengths)[1]
        loss_e = F.cross_entropy(logits.float(), torch.tensor([elab[i] for i in idx]))
        loss = loss_e
        if short:
            if len(sorder) < a.short_batch:
                sorder = list(range(len(short))); rng.shuffle(sorder)
            idx = [sorder.pop() for _ in range(a.short_batch)]
            ids, lengths = pad([short[i] for i in idx])
            with autocast():
                logits = model(ids, lengths)[1]
            loss = loss + a.short_weight * F.cross_entropy(logits.float(), torch.tensor([slab[i] for i in idx]))
        if not dbatches: dbatches = bucketed(len(sseq), slen, a.joint_distil_tokens, rng)
        loss_d, c = distil_loss(model, sseq, tg, dbatches.pop())
        loss = loss + a.joint_distil * loss_d
        opt.zero_grad(); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % 20 == 0:
            say(f"joint step {step + 1}/{a.joint_steps} email CE {loss_e.item():.4f} distil {loss_d.item():.4f} batch cos {c:.3f} {time.time() - t0:.0f}s")
        if (step + 1) % a.eval_every == 0 or step + 1 == a.joint_steps:
            ce, f1, pr, rc = validation()
            say(f"  validation CE {ce:.4f} spam F1 {f1:.4f} (P {pr:.4f} R {rc:.4f}) cos {validation_cos():.4f} at joint step {step + 1}")
            if ce < best[0]:
                best = (ce, step + 1, {k: v.detach().clone() for k, v in model.state_dict().items()}, f1)
    model.load_state_dict(best[2])
    say(f"stage 2: kept joint step {best[1]} (lowest validation cross-entropy {best[0]:.4f}, F1 {best[3]:.4f}), {time.time() - t0:.0f}s")
    say(f"held-out cos {heldout_cos():.4f} (final)")
    model.eval()
    with torch.no_grad():
        for text in SHORT_PROBES:
            ids = wp.encode(text, a.max_len)
            p = torch.softmax(model(torch.tensor([ids]), torch.tensor([len(ids)]))[1][0], -1)[1].item()
            say(f"  P(spam) {p:.3f}  {text}")
        held = ham_texts[a.ham_texts:]
        if held:
            flagged = int((head_logits(model, [wp.encode(t, a.max_len) for t in held]).argmax(-1) == 1).sum())
            say(f"held-out fortunes sentences flagged as spam: {flagged} of {len(held)}")
    save_ckpt(os.path.join(a.work, "ckpt-final.pt"), model, cfg, 2, best[1])
    export(model, cfg, wp, emails, a)


SHORT_PROBES = ["Thanks for the quick delivery, the package arrived a day early!",
                "Thanks for the quick delivery, the parcel arrived this morning.", "The weather in Lisbon is sunny today.",
                "Meeting moved to 3pm tomorrow", "Can we move our meeting to Thursday at 3pm?",
                "WIN A FREE iPhone!!! Click here now to claim your prize",
                "Congratulations! You have been selected to receive a $1000 gift card, reply now",
                "Can you pick up some milk on the way home?", "Happy birthday! Hope you have a wonderful day.",
                "Your account has been suspended, verify your password at this link today",
                "Lowest mortgage rates guaranteed, apply online in minutes"]


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
