#!/usr/bin/env python3
"""Peer benchmark: activation patching of every head of a 2-block GPT-2-layout transformer over
1,000 clean/corrupted pairs, in plain PyTorch with TransformerLens-style hooks on each head's output
(hook_z: the head's output before the output projection), the sweep salmon-bench times.

    python3 patching_peer.py --make-data DIR --seed S   # model.safetensors, architecture.json, pairs
    python3 patching_peer.py DIR                         # time the peer, one JSON line per thread count

The model: vocabulary 113, context 2, d = 128, 4 heads, 2 blocks, GELU (tanh) MLP of 512, untied
unembedding, GPT-2's N(0, 0.02) initialization (a random model: the timing does not depend on the
weights). The pairs: (a, b) clean, (a', b) corrupted with a' = a + delta mod 113, delta uniform on
1 ... 112; answer (a + b) mod 113, contrast (a' + b) mod 113, read at the last position.
The sweep, timed as a whole (best of 5; torch.set_num_threads 1 and 2): the clean run (every head's
output cached), the corrupted run (the residual entering each block cached), then for each of the 8
heads the corrupted run from the head's block on (TransformerLens's start_at_layer; the blocks before
it cannot change) with that head's output replaced by the clean one; the statistic (LD_patched - LD_corrupt)/(LD_clean - LD_corrupt) on
means over the pairs. The recovered values are printed for comparison with salmon-bench's.
"""
import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

P, CONTEXT, D, HEADS, LAYERS, PAIRS = 113, 2, 128, 4, 2, 1000


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1 = nn.LayerNorm(D)
        self.attn = nn.Module()
        self.attn.c_attn = nn.Linear(D, 3 * D)
        self.attn.c_proj = nn.Linear(D, D)
        self.ln_2 = nn.LayerNorm(D)
        self.mlp = nn.Module()
        self.mlp.c_fc = nn.Linear(D, 4 * D)
        self.mlp.c_proj = nn.Linear(4 * D, D)

    def forward(self, x, cache=None, patch=None):
        b, t, d = x.shape
        h = self.ln_1(x)
        q, k, v = self.attn.c_attn(h).split(d, dim=2)
        q, k, v = (z.view(b, t, HEADS, d // HEADS).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // HEADS)
        scores = scores.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        z = (scores.softmax(-1) @ v).transpose(1, 2)          # [b, t, heads, dh]: hook_z
        if cache is not None:
            cache.append(z)
        if patch is not None:
            head, clean = patch
            z = z.clone()
            z[:, :, head] = clean[:, :, head]
        x = x + self.attn.c_proj(z.reshape(b, t, d))
        return x + self.mlp.c_proj(nn.functional.gelu(self.mlp.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(P, D)
        self.wpe = nn.Embedding(CONTEXT, D)
        self.h = nn.ModuleList(Block() for _ in range(LAYERS))
        self.ln_f = nn.LayerNorm(D)
        self.lm_head = nn.Linear(D, P, bias=False)

    def forward(self, idx, cache=None, patch=None, residuals=None, start=0, entering=None):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1])) if start == 0 else entering
        for i, block in enumerate(self.h):
            if i < start:
                continue
            if residuals is not None:
                residuals.append(x)
            x = block(x, cache, patch[1:] if patch is not None and patch[0] == i else None)
        return self.lm_head(self.ln_f(x))


def make_data(out, seed):
    torch.manual_seed(seed)
    model = GPT()
    for name, p in model.named_parameters():
        if name.endswith("weight") and p.dim() == 2:
            nn.init.normal_(p, 0, 0.02)
    os.makedirs(out, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(out, "model.safetensors"))
    with open(os.path.join(out, "architecture.json"), "w") as f:
        json.dump({"type": "gpt2", "vocabulary": P, "context": CONTEXT, "dimension": D, "heads": HEADS, "layers": LAYERS,
                   "activation": "gelu_tanh", "tiedUnembedding": False, "linearLayout": "linear"}, f, indent=1)
    rng = np.random.default_rng(seed)
    clean = rng.integers(0, P, size=(PAIRS, 2))
    corrupted = clean.copy()
    corrupted[:, 0] = (clean[:, 0] + rng.integers(1, P, size=PAIRS)) % P
    for name, value in [("clean", clean), ("corrupted", corrupted), ("correct", clean.sum(1) % P), ("wrong", corrupted.sum(1) % P)]:
        np.save(os.path.join(out, name + ".npy"), value.astype(np.int64))


def sweep(model, clean, corrupted, correct, wrong):
    rows = torch.arange(clean.shape[0])

    def ld(logits):
        last = logits[:, -1]
        return (last[rows, correct] - last[rows, wrong]).double().mean().item()

    with torch.no_grad():
        cache, entering = [], []
        ld_clean = ld(model(clean, cache=cache))
        ld_corrupt = ld(model(corrupted, residuals=entering))
        out = []
        for layer in range(LAYERS):
            for head in range(HEADS):
                # From the corrupted residual entering the head's block (TransformerLens's
                # start_at_layer): the blocks before it cannot change.
                patched = ld(model(corrupted, patch=(layer, head, cache[layer]), start=layer, entering=entering[layer]))
                out.append((patched - ld_corrupt) / (ld_clean - ld_corrupt))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("data", nargs="?")
    parser.add_argument("--make-data")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.make_data:
        make_data(args.make_data, args.seed)
        return
    model = GPT()
    model.load_state_dict(load_file(os.path.join(args.data, "model.safetensors")))
    model.eval()
    data = {n: torch.from_numpy(np.load(os.path.join(args.data, n + ".npy"))) for n in ["clean", "corrupted", "correct", "wrong"]}
    for threads in [1, 2]:
        torch.set_num_threads(threads)
        best, values = float("inf"), []
        for _ in range(5):
            start = time.perf_counter()
            values = sweep(model, data["clean"], data["corrupted"], data["correct"], data["wrong"])
            best = min(best, time.perf_counter() - start)
        print(json.dumps({"name": f"patching_every_head_t{threads}", "peer": "pytorch", "pairs": PAIRS, "heads": LAYERS * HEADS,
                          "threads": threads, "seconds": best, "recovered": values, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
