"""Python peers of the DeadSalmon benchmarks, timed the same way (best of several runs).

One JSON object per line, like salmon-bench. Run by run.sh in the same session as the Swift side.
"""
import json
import time

import numpy as np
import scipy
import scipy.stats as st
import statsmodels
from statsmodels.stats.multitest import multipletests


def best(runs, fn):
    result = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        result = min(result, time.perf_counter() - start)
    return result


def report(name, **fields):
    fields["name"] = name
    print(json.dumps(fields, sort_keys=True), flush=True)


rng = np.random.default_rng(1)
x = rng.exponential(size=10_000)
out = {}
t = best(3, lambda: out.setdefault("ci", st.bootstrap((x,), np.mean, n_resamples=9_999, method="BCa",
                                                        vectorized=True, rng=rng).confidence_interval))
report("bootstrap_bca_mean_n10000_B9999", seconds=t, peer=f"scipy {scipy.__version__} stats.bootstrap")

correct = (rng.random(10_000) < 0.91).astype(float)
t = best(3, lambda: st.bootstrap((correct,), np.mean, n_resamples=9_999, method="BCa", vectorized=True, rng=rng))
report("bootstrap_bca_mean_binary_n10000_B9999", seconds=t, peer=f"scipy {scipy.__version__} stats.bootstrap")

a = rng.normal(size=500)
b = rng.normal(size=500) + 0.1


def diff(x, y, axis):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


t = best(3, lambda: st.permutation_test((a, b), diff, n_resamples=9_999, vectorized=True, rng=rng))
report("permutation_independent_500_500_B9999", seconds=t, peer=f"scipy {scipy.__version__} stats.permutation_test")

p = rng.random(1_000_000) ** 3
start = time.perf_counter()
multipletests(p, alpha=0.05, method="fdr_bh")
first = time.perf_counter() - start
t = best(5, lambda: multipletests(p, alpha=0.05, method="fdr_bh"))
report("bh_1e6", seconds=t, firstCallSeconds=first, peer=f"statsmodels {statsmodels.__version__} multipletests fdr_bh")


# Transformer training step: 2 layers, d = 128, 4 heads, sequence 64, batch 32, AdamW, same threads.
import math
import torch
import torch.nn as nn

torch.manual_seed(0)
torch.set_num_threads(2)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.c_attn, self.c_proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.c_fc, self.c_out = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)
        self.heads = heads

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)).masked_fill(
            torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf"))
        x = x + self.c_proj((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.c_out(nn.functional.gelu(self.c_fc(self.ln_2(x))))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(256, 128), nn.Embedding(64, 128)
        self.h = nn.ModuleList(Block(128, 4) for _ in range(2))
        self.ln_f, self.head = nn.LayerNorm(128), nn.Linear(128, 256, bias=False)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for block in self.h:
            x = block(x)
        return self.head(self.ln_f(x))


gpt = GPT()
opt = torch.optim.AdamW(gpt.parameters(), lr=1e-3)
idx = torch.randint(0, 256, (32, 64))
tgt = torch.randint(0, 256, (32 * 64,))


def train_step():
    opt.zero_grad()
    nn.functional.cross_entropy(gpt(idx).reshape(-1, 256), tgt).backward()
    opt.step()


train_step()
t = best(5, train_step)
report("transformer_train_2x128_h4_t64_b32", seconds=t, peer=f"PyTorch {torch.__version__} (2 threads)")
