"""ModernBERT encoder in PyTorch, batched with right padding, in the Hugging Face checkpoint layout
(the names ../shared/reference/modernbert_ref.py and the Java loader read):

  model.embeddings.tok_embeddings.weight [V,H], model.embeddings.norm.weight [H]
  model.layers.{i}.attn_norm.weight [H] (none for layer 0), .attn.Wqkv.weight [3H,H], .attn.Wo.weight [H,H],
                  .mlp_norm.weight [H], .mlp.Wi.weight [2I,H], .mlp.Wo.weight [H,I]
  model.final_norm.weight [H]
  head.dense.weight [H,H], head.norm.weight [H], classifier.weight [C,H], classifier.bias [C]

Pre-norm layers; RoPE (rotate-half) with theta global_rope_theta on global layers (i % every == 0) and
local_rope_theta elsewhere, where a token sees only tokens within local_attention//2; GeGLU MLP with exact-erf
GELU; LayerNorm without bias. No biases except the classifier's. Embedding = mean of the final hidden states over
the real tokens ([CLS] and [SEP] included), L2-normalised; classification = mean pool -> dense -> GELU -> LayerNorm
-> classifier.
"""
import math
import torch
import torch.nn as nn
import torch.nn.functional as F


class Norm(nn.Module):
    def __init__(self, h, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(h))
        self.eps = eps

    def forward(self, x):
        # in float32 also under bf16 autocast (train.py --bf16): the residual stream stays float32
        if x.dtype in (torch.bfloat16, torch.float16):
            x = x.float()
        return F.layer_norm(x, x.shape[-1:], self.weight.to(x.dtype), None, self.eps)


class Layer(nn.Module):
    def __init__(self, cfg, i):
        super().__init__()
        H, I = cfg["hidden_size"], cfg["intermediate_size"]
        eps = cfg["norm_eps"]
        self.attn_norm = Norm(H, eps) if i != 0 else None
        self.attn = nn.Module()
        self.attn.Wqkv = nn.Linear(H, 3 * H, bias=False)
        self.attn.Wo = nn.Linear(H, H, bias=False)
        self.mlp_norm = Norm(H, eps)
        self.mlp = nn.Module()
        self.mlp.Wi = nn.Linear(H, 2 * I, bias=False)
        self.mlp.Wo = nn.Linear(I, H, bias=False)
        self.heads = cfg["num_attention_heads"]
        self.is_global = i % cfg["global_attn_every_n_layers"] == 0

    def forward(self, x, cos, sin, mask):
        B, L, H = x.shape
        nh = self.heads; hd = H // nh
        h = x if self.attn_norm is None else self.attn_norm(x)
        qkv = self.attn.Wqkv(h).view(B, L, 3, nh, hd).permute(2, 0, 3, 1, 4)   # 3,B,nh,L,hd
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        s = (q @ k.transpose(-1, -2)) * (hd ** -0.5) + mask                   # B,nh,L,L
        a = torch.softmax(s, -1) @ v
        x = x + self.attn.Wo(a.transpose(1, 2).reshape(B, L, H))
        u = self.mlp.Wi(self.mlp_norm(x))
        inp, gate = u.chunk(2, -1)
        return x + self.mlp.Wo(F.gelu(inp) * gate)


def rotate_half(x):
    d = x.shape[-1] // 2
    return torch.cat([-x[..., d:], x[..., :d]], -1)


def rope_tables(L, hd, theta, dtype):
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    f = torch.outer(torch.arange(L, dtype=torch.float64), inv)
    emb = torch.cat([f, f], -1)
    return emb.cos().to(dtype), emb.sin().to(dtype)


class ModernBert(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        H = cfg["hidden_size"]
        eps = cfg["norm_eps"]
        self.model = nn.Module()
        self.model.embeddings = nn.Module()
        self.model.embeddings.tok_embeddings = nn.Embedding(cfg["vocab_size"], H)
        self.model.embeddings.norm = Norm(H, eps)
        self.model.layers = nn.ModuleList([Layer(cfg, i) for i in range(cfg["num_hidden_layers"])])
        self.model.final_norm = Norm(H, eps)
        self.head = nn.Module()
        self.head.dense = nn.Linear(H, H, bias=False)
        self.head.norm = Norm(H, eps)
        self.classifier = nn.Linear(H, len(cfg["id2label"]))

    def hidden(self, ids, lengths):
        """ids [B,L] right-padded, lengths [B] -> final hidden states [B,L,H] (padding rows are junk)."""
        cfg = self.cfg
        B, L = ids.shape
        hd = cfg["hidden_size"] // cfg["num_attention_heads"]
        x = self.model.embeddings.norm(self.model.embeddings.tok_embeddings(ids))
        pos = torch.arange(L)
        valid = pos[None, :] < lengths[:, None]                              # B,L
        neg = torch.finfo(x.dtype).min
        zero_t, neg_t = torch.zeros((), dtype=x.dtype), torch.tensor(neg, dtype=x.dtype)
        key_mask = torch.where(valid, zero_t, neg_t)[:, None, None, :]        # B,1,1,L
        half = cfg["local_attention"] // 2
        far = (pos[:, None] - pos[None, :]).abs() > half
        local_mask = key_mask + torch.where(far, neg_t, zero_t)[None, None]
        gc, gs = rope_tables(L, hd, cfg["global_rope_theta"], x.dtype)
        lc, ls = rope_tables(L, hd, cfg["local_rope_theta"], x.dtype)
        for layer in self.model.layers:
            if layer.is_global:
                x = layer(x, gc, gs, key_mask)
            else:
                x = layer(x, lc, ls, local_mask.clamp(min=neg))
        return self.model.final_norm(x), valid

    @staticmethod
    def mean_pool(h, valid):
        m = valid.to(h.dtype)[..., None]
        return (h * m).sum(1) / m.sum(1)

    def forward(self, ids, lengths):
        """-> (normalised embeddings [B,H], logits [B,C])"""
        h, valid = self.hidden(ids, lengths)
        pooled = self.mean_pool(h, valid)
        emb = F.normalize(pooled, dim=-1)
        logits = self.classifier(self.head.norm(F.gelu(self.head.dense(pooled))))
        return emb, logits


def cpu_has_bf16():
    """Whether this CPU multiplies bfloat16 in hardware (AVX-512 BF16 or AMX): then PyTorch's bf16 matmuls (oneDNN)
    run several times faster than its float32 ones (measured on an AVX-512 BF16 EPYC: 615 vs 54 GFLOPS)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l for l in f if l.startswith("flags")), "").split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def bf16_wanted(mode):
    """--bf16 auto|on|off -> bool; auto means: when the CPU has bf16 hardware."""
    return cpu_has_bf16() if mode == "auto" else mode == "on"


def init_weights(model, seed, std=0.02):
    g = torch.Generator().manual_seed(seed)
    L = model.cfg["num_hidden_layers"]
    for name, p in model.named_parameters():
        if name.endswith("norm.weight"):
            nn.init.ones_(p)
        elif name == "classifier.bias":
            nn.init.zeros_(p)
        else:
            s = std / math.sqrt(2 * L) if name.endswith(("attn.Wo.weight", "mlp.Wo.weight")) else std
            with torch.no_grad():
                p.copy_(torch.randn(p.shape, generator=g).clamp(-2, 2) * s)
